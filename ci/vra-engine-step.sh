#!/usr/bin/env bash
# One CI step of vra-engine: validate, apply or destroy, with its results as step outputs. The
# GitHub Action (action.yml) and the GitLab template (ci/gitlab/vra-engine.gitlab-ci.yml) both run
# it; it reads its settings from VRA_STEP_* variables (docs/ci.md has them all):
#
#   VRA_STEP_COMMAND        validate | apply | destroy (default apply)
#   VRA_STEP_BINARY         the vra-engine to run (default: vra-engine on PATH)
#   VRA_STEP_PLAN           a plan file, or
#   VRA_STEP_TEMPLATE       a cloud template (apply deploys it as a one-stage plan in VRA_STEP_PROJECT)
#   VRA_STEP_INPUTS         the template's inputs: a YAML or JSON mapping ({"size": "small"})
#   VRA_STEP_PROJECT        the project a template is deployed to
#   VRA_STEP_DESTROY_AFTER  always | on-success | never;  VRA_STEP_MAX_DURATION  180s
#   VRA_STEP_REPORT_JUNIT   a JUnit file to write;  VRA_STEP_REPORT_MARKDOWN  a Markdown file
#   VRA_STEP_RUN_ID         destroy: the run to delete (default: the run id an earlier apply step left)
#   VRA_STEP_ARGS           more arguments, split on spaces
#   VRA_URL, VRA_REFRESH_TOKEN (or VRA_USERNAME/VRA_PASSWORD/VRA_DOMAIN): the vRA, as for the CLI;
#   VRA_ENGINE_SERVER, VRA_ENGINE_TOKEN: a shared `vra-engine serve` instead
#
# Outputs: run-id, status, exit-code and outputs (JSON: {"stage": {"output": value}}), appended to
# $GITHUB_OUTPUT when set and written as KEY=value lines to $VRA_STEP_DOTENV when set (GitLab's
# dotenv report: VRA_ENGINE_RUN_ID, VRA_ENGINE_STATUS, VRA_ENGINE_EXIT_CODE, VRA_ENGINE_OUTPUTS).
# Exits with vra-engine's exit code.
set -uo pipefail

fail() { echo "vra-engine-step: $*" >&2; exit 2; }

command=${VRA_STEP_COMMAND:-apply}
binary=${VRA_STEP_BINARY:-vra-engine}
plan=${VRA_STEP_PLAN:-}
template=${VRA_STEP_TEMPLATE:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v "$binary" >/dev/null 2>&1 || [ -x "$binary" ] || fail "no vra-engine at '$binary'"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed to read vra-engine's JSON report"

args=()
case "$command" in
  validate)
    if [ -n "$plan" ]; then
      args=(validate "$plan")
    elif [ -n "$template" ]; then
      args=(validate "$template")
      if [ -n "${VRA_STEP_INPUTS:-}" ]; then
        printf '%s\n' "$VRA_STEP_INPUTS" > "$work/inputs.yaml"
        args+=(--inputs "$work/inputs.yaml")
      fi
    else
      fail "validate needs a plan or a template"
    fi
    ;;
  apply)
    if [ -z "$plan" ]; then
      [ -n "$template" ] || fail "apply needs a plan or a template"
      [ -n "${VRA_STEP_PROJECT:-}" ] || fail "apply of a template needs a project"
      # A template alone is deployed as a one-stage plan beside it (its path is the plan's).
      name=$(basename "$template"); name=${name%.*}
      plan="$(dirname "$template")/.vra-engine-step-$name.plan.yaml"
      python3 - "$template" "$name" "${VRA_STEP_PROJECT}" "${VRA_STEP_INPUTS:-}" > "$plan" <<'PY' || fail "the inputs are not a YAML or JSON mapping"
import json, os, sys
template, name, project, inputs = sys.argv[1:5]
values = {}
if inputs.strip():
    try:
        values = json.loads(inputs)
    except ValueError:
        import yaml  # PyYAML, for inputs written as YAML
        values = yaml.safe_load(inputs)
    if not isinstance(values, dict):
        raise SystemExit(1)
stage = {"template": os.path.basename(template), "inputs": values}
print(json.dumps({"name": name, "defaults": {"project": project}, "stages": {name: stage}}, indent=2))
PY
      trap 'rm -rf "$work" "$plan"' EXIT
    fi
    args=(apply "$plan" --output json)
    [ -n "${VRA_STEP_DESTROY_AFTER:-}" ] && args+=(--destroy-after "$VRA_STEP_DESTROY_AFTER")
    [ -n "${VRA_STEP_MAX_DURATION:-}" ] && args+=(--max-duration "$VRA_STEP_MAX_DURATION")
    [ -n "${VRA_STEP_REPORT_JUNIT:-}" ] && args+=(--report "junit=$VRA_STEP_REPORT_JUNIT")
    [ -n "${VRA_STEP_REPORT_MARKDOWN:-}" ] && args+=(--report "markdown=$VRA_STEP_REPORT_MARKDOWN")
    ;;
  destroy)
    run_id=${VRA_STEP_RUN_ID:-${VRA_ENGINE_RUN_ID:-}}
    [ -n "$run_id" ] || fail "destroy needs a run id (the run-id output of the apply step)"
    args=(destroy "$run_id" --auto-approve)
    ;;
  *) fail "command must be validate, apply or destroy, not '$command'" ;;
esac
# shellcheck disable=SC2206 # split on spaces on purpose
[ -n "${VRA_STEP_ARGS:-}" ] && args+=(${VRA_STEP_ARGS})

echo "vra-engine-step: vra-engine ${args[*]}" >&2
"$binary" "${args[@]}" > "$work/stdout"
code=$?
if [ "$command" != apply ]; then cat "$work/stdout"; fi

# The results, from the JSON report apply printed (nothing for validate and destroy but the code).
python3 - "$work/stdout" "$code" "$command" "${VRA_STEP_RUN_ID:-${VRA_ENGINE_RUN_ID:-}}" > "$work/results" <<'PY'
import json, sys
path, code, command, run_id = sys.argv[1:5]
run_id, status, outputs = (run_id if command == "destroy" else ""), "", {}
try:
    report = json.load(open(path))
except ValueError:
    report = None
if isinstance(report, dict) and "run" in report:
    run_id, status = report["run"]["id"], report["run"]["status"]
    outputs = {s["name"]: s.get("outputs") or {} for s in report.get("stages", [])}
elif isinstance(report, dict) and "valid" in report:
    status = "invalid"
if not status:
    status = {"0": "succeeded" if command != "validate" else "valid", "2": "invalid"}.get(code, "failed")
    if command == "destroy" and code == "0":
        status = "destroyed"
print(run_id)
print(status)
print(json.dumps(outputs, sort_keys=True, separators=(",", ":")))
PY
run_id=$(sed -n 1p "$work/results")
status=$(sed -n 2p "$work/results")
outputs=$(sed -n 3p "$work/results")
if [ "$command" = apply ]; then cat "$work/stdout"; fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "run-id=$run_id"
    echo "status=$status"
    echo "exit-code=$code"
    echo "outputs=$outputs"
  } >> "$GITHUB_OUTPUT"
fi
if [ -n "${VRA_STEP_DOTENV:-}" ]; then
  {
    echo "VRA_ENGINE_RUN_ID=$run_id"
    echo "VRA_ENGINE_STATUS=$status"
    echo "VRA_ENGINE_EXIT_CODE=$code"
    echo "VRA_ENGINE_OUTPUTS=$outputs"
  } > "$VRA_STEP_DOTENV"
fi
echo "vra-engine-step: $command ${run_id:+run $run_id }$status (exit $code)" >&2
exit "$code"
