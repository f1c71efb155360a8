import Testing

@testable import EngineServer
