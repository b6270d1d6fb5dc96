import ConfigFile
package import LocalLLM

/// Resolves the model a client asks for to the pool that serves it. Exact names win over globs;
/// among globs the first listed in the configuration wins.
package struct ModelRouter: Sendable {
    package struct Target: Sendable {
        package var publicName: String
        package var upstreamModel: String
        package var pool: UpstreamPool
    }

    let routes: [ModelRoute]
    let pools: [String: UpstreamPool]

    package init(routes: [ModelRoute], pools: [UpstreamPool]) {
        self.routes = routes.filter { !$0.isGlob } + routes.filter(\.isGlob)
        self.pools = Dictionary(pools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    package func resolve(_ model: String) -> Target? {
        for route in routes where NamePattern.matches(route.pattern, model) {
            guard let pool = pools[route.pool] else { continue }
            return Target(publicName: model, upstreamModel: route.upstreamModel ?? model, pool: pool)
        }
        return nil
    }

    /// Model ids to advertise in `/v1/models`: every exact name, plus each host model name that
    /// itself resolves (so a catch-all route to `echo` lists `echo`).
    package var advertisedModels: [String] {
        var names: [String] = []
        for route in routes {
            if !route.isGlob { names.append(route.pattern) }
            if let upstream = route.upstreamModel, resolve(upstream) != nil { names.append(upstream) }
        }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }
}
