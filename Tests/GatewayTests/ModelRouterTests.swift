import Access
import LocalLLM
import Testing

@testable import Gateway

@Suite struct ModelRouterTests {
    let pools = [
        UpstreamPool(configuration: .init(name: "gpu", kind: .vllm, hosts: [.init(baseURL: "http://h/v1")])),
        UpstreamPool(configuration: .init(name: "echo", kind: .echo)),
    ]

    var router: ModelRouter {
        ModelRouter(
            routes: [
                ModelRoute(pattern: "claude-*", pool: "gpu", upstreamModel: "qwen2.5-coder"),
                ModelRoute(pattern: "claude-3-haiku", pool: "echo", upstreamModel: "echo"),
                ModelRoute(pattern: "llama", pool: "gpu"),
                ModelRoute(pattern: "*", pool: "echo", upstreamModel: "echo"),
            ],
            pools: pools
        )
    }

    @Test(arguments: [
        ("claude-sonnet-4-5", "gpu", "qwen2.5-coder"),
        ("claude-3-haiku", "echo", "echo"),  // exact beats glob listed earlier
        ("llama", "gpu", "llama"),  // no upstream name keeps the requested one
        ("gpt-4o", "echo", "echo"),
    ])
    func resolves(model: String, pool: String, upstream: String) throws {
        let target = try #require(router.resolve(model))
        #expect(target.pool.name == pool)
        #expect(target.upstreamModel == upstream)
        #expect(target.publicName == model)
    }

    @Test func unknownModelWithoutCatchAll() {
        let strict = ModelRouter(routes: [ModelRoute(pattern: "llama", pool: "gpu")], pools: pools)
        #expect(strict.resolve("gpt-4o") == nil)
    }

    @Test func advertisesExactNamesAndResolvableHostNames() {
        #expect(router.advertisedModels == ["claude-3-haiku", "echo", "llama", "qwen2.5-coder"])
    }

    @Test func principalModelRestriction() {
        let principal = Principal(keyID: "k", user: "u", team: "t", allowedModels: ["gpt-*", "llama"])
        #expect(principal.mayUse(model: "gpt-4o"))
        #expect(principal.mayUse(model: "llama"))
        #expect(!principal.mayUse(model: "claude-sonnet"))
        #expect(Principal(keyID: "k", user: "u", team: "t", allowedModels: []).mayUse(model: "anything"))
    }
}
