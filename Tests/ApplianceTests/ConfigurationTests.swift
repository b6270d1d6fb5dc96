import ConfigFile
import Foundation
import Gateway
import LocalLLM
import Logging
import Testing

@testable import Appliance

@Suite struct ConfigurationTests {
    static let full = """
        listen:
          address: 0.0.0.0
          port: 9443
          header_timeout: 5s
          max_connections: 2000
        state_dir: /var/lib/tappass
        log_level: debug
        limits:
          max_body_bytes: 1048576
          max_json_depth: 32
          timeouts: { connect: 2s, first_byte: 90s, idle: 500ms, total: 10m }
        upstreams:
          gpu:
            kind: vllm
            affinity: user
            health: { interval: 3s, unhealthy_after: 3 }
            breaker: { failures: 4, open_for: 15s }
            queue: { depth: 32, wait: 2500ms }
            hosts:
              - url: http://10.0.0.5:8000/v1
                api_key: sk-host-secret
                weight: 3
                max_concurrent: 32
              - url: http://10.0.0.6:8000/v1
        models:
          - name: "claude-*"
            pool: gpu
            model: qwen2.5-coder-32b
          - name: "*"
            pool: echo
        """

    @Test func readsEveryField() throws {
        let configuration = try ApplianceConfiguration.parse(yaml: Self.full, file: "appliance.yaml")
        let gateway = configuration.gateway
        var listen = GatewayConfiguration.Listen(host: "0.0.0.0", port: 9443)
        listen.headerTimeout = .seconds(5)
        listen.maxConnections = 2000
        #expect(gateway.listen == listen)
        #expect(listen.bodyTimeout == .seconds(60) && listen.idleTimeout == .seconds(75))
        #expect(configuration.logLevel == .debug)
        #expect(gateway.limits == .init(maxBodyBytes: 1_048_576, maxJSONDepth: 32))
        #expect(gateway.timeouts == .init(connect: .seconds(2), firstByte: .seconds(90), idle: .milliseconds(500), total: .seconds(600)))
        let gpu = try #require(gateway.pools.first { $0.name == "gpu" })
        #expect(gpu.kind == .vllm && gpu.affinity == .user)
        #expect(gpu.health.interval == .seconds(3) && gpu.health.unhealthyAfter == 3)
        #expect(gpu.breaker == .init(failureThreshold: 4, openDuration: .seconds(15)))
        #expect(gpu.queue == .init(depth: 32, wait: .milliseconds(2500)))
        #expect(
            gpu.hosts == [
                .init(baseURL: "http://10.0.0.5:8000/v1", apiKey: "sk-host-secret", weight: 3, maxConcurrent: 32),
                .init(baseURL: "http://10.0.0.6:8000/v1"),
            ]
        )
        #expect(gateway.pools.contains { $0.name == "echo" && $0.kind == .echo })
        #expect(
            gateway.models == [
                ModelRoute(pattern: "claude-*", pool: "gpu", upstreamModel: "qwen2.5-coder-32b"), ModelRoute(pattern: "*", pool: "echo"),
            ]
        )
    }

    @Test func emptyFileMeansDefaults() throws {
        let configuration = try ApplianceConfiguration.parse(yaml: "", file: "appliance.yaml")
        #expect(configuration.gateway.listen.port == 8443)
        #expect(configuration.gateway.stateDirectory == "/var/lib/tappass")
        #expect(configuration.gateway.limits == .init())
        #expect(UpstreamPoolConfiguration(name: "gpu").queue == .init(depth: 256, wait: .seconds(10)))
    }

    @Test(
        arguments: [
            ("listen:\n  port: http\n", 2, "listen.port", "expected an integer"),
            ("listen:\n  prot: 80\n", 2, "listen.prot", "unknown key"),
            ("colour: blue\n", 1, "colour", "unknown key"),
            ("limits:\n  timeouts:\n    idle: soon\n", 3, "limits.timeouts.idle", "positive duration"),
            ("upstreams:\n  gpu:\n    kind: vllm\n", 3, "upstreams.gpu", "at least one entry under 'hosts'"),
            ("upstreams:\n  gpu:\n    kind: cuda\n    hosts: [{url: http://h}]\n", 3, "upstreams.gpu.kind", "expected one of vllm"),
            ("upstreams:\n  gpu:\n    hosts:\n      - url: ftp://h\n", 4, "upstreams.gpu.hosts[0].url", "http:// or https://"),
            ("upstreams:\n  gpu:\n    hosts:\n      - weight: 2\n", 4, "upstreams.gpu.hosts[0]", "needs 'url'"),
            ("models:\n  - name: x\n    pool: nowhere\n", 3, "models[0].pool", "no pool named 'nowhere'"),
            (
                "listen:\n  tls:\n    certificate: /nonexistent.pem\n    key: /nonexistent.key\n", 3, "listen.tls.certificate",
                "does not exist"
            ),
            ("log_level: loud\n", 1, "log_level", "expected one of trace"),
            ("listen:\n  max_connections: 0\n", 2, "listen.max_connections", "1"),
            ("listen:\n  idle_timeout: never\n", 2, "listen.idle_timeout", "duration"),
            ("upstreams:\n  gpu:\n    queue: {depth: -1}\n    hosts: [{url: http://h}]\n", 3, "upstreams.gpu.queue.depth", "0"),
            ("upstreams:\n  gpu:\n    queue: {wait: forever}\n    hosts: [{url: http://h}]\n", 3, "upstreams.gpu.queue.wait", "duration"),
            ("upstreams:\n  gpu:\n    queue: {size: 3}\n    hosts: [{url: http://h}]\n", 3, "upstreams.gpu.queue.size", "unknown key"),
            ("listen: [1, 2\n", 2, nil, "not valid YAML"),
        ] as [(String, Int, String?, String)]
    )
    func invalidFilesNameFileLineAndKey(yaml: String, line: Int, key: String?, message: String) {
        do {
            _ = try ApplianceConfiguration.parse(yaml: yaml, file: "/etc/tappass/appliance.yaml")
            Issue.record("expected an error for \(yaml)")
        } catch let error as ConfigError {
            #expect(error.file == "/etc/tappass/appliance.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.description.contains(message), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func effectiveConfigurationMasksSecrets() throws {
        let text = try EffectiveConfigurationPrinter.yaml(try ApplianceConfiguration.parse(yaml: Self.full, file: "a.yaml"))
        #expect(!text.contains("sk-host-secret"))
        #expect(text.contains("api_key: '********'") || text.contains("api_key: \"********\"") || text.contains("api_key: ********"))
        #expect(text.contains("idle: 500ms"))
        #expect(text.contains("path: /health"))
        // What it prints is itself a valid configuration with the same meaning.
        let reparsed = try ApplianceConfiguration.parse(
            yaml: text.replacingOccurrences(of: "model: (as requested)", with: "model: \"*\""),
            file: "b"
        )
        #expect(reparsed.gateway.timeouts.idle == .milliseconds(500))
    }

    @Test func demoConfigurationRoutesEverythingToEcho() throws {
        let demo = try DemoConfiguration.load()
        #expect(demo.gateway.listen == .init(host: "127.0.0.1", port: 8080))
        #expect(demo.gateway.demoKey == "tp-demo-key")
        #expect(demo.gateway.stateDirectory.hasSuffix("/.tappass-demo"))
        #expect(demo.gateway.models == [ModelRoute(pattern: "*", pool: "echo", upstreamModel: "echo")])
    }
}
