/// `vra-engine serve`: the engine as a shared, multi-tenant HTTP service over `EngineRuntime`.
///
/// Folders: `Configuration/` (serve.yaml, tenants), `Auth/` (API tokens, OIDC JWTs, throttling),
/// `API/` (routes, problem documents, the OpenAPI document), `Runs/` (bundles, the run executor,
/// quotas), `Events/` (server-sent events), `Server/` (the application and its lifetime).
public enum EngineServer {}
