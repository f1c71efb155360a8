/// The version of vra-engine, sent in `User-Agent` and printed by `--version`.
public enum VRAEngineVersion {
  public static let current = "0.1.0"
}
