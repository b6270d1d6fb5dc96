import Detection

/// The policy that ships with the appliance: active until a signed bundle replaces it, and in
/// demo mode. Kept as YAML, read by the same ``PolicyReader`` as any customer policy, so it
/// doubles as the example the README points to (`tappass policy show --default`).
package enum DefaultPolicy {
    package static let yaml = """
        # TapPass default policy (schema version 1).
        version: 1
        name: default
        # Per category (secret, pii, exfil) or per finding type: allow, flag, redact or block.
        actions:
          secret: redact
          pii: flag
          exfil: block
          payment_card: redact
          iban: redact
          us_ssn: redact
          be_national_number: redact
          nl_bsn: redact
          uk_nino: redact
          fr_nir: redact
          # An image or document URL the host would fetch: the gateway cannot read what is
          # behind it. Set to block where hosts must never fetch from elsewhere.
          remote_media_url: flag
        # What the audit log keeps of prompts and answers: none, redacted or full.
        audit_content: redacted
        exfiltration:
          # Paste sites, webhook catchers, tunnels and file drops (subdomains match too).
          domains:
            - pastebin.com
            - paste.ee
            - hastebin.com
            - ghostbin.co
            - rentry.co
            - dpaste.com
            - dpaste.org
            - controlc.com
            - termbin.com
            - 0x0.st
            - webhook.site
            - requestbin.com
            - requestcatcher.com
            - pipedream.net
            - beeceptor.com
            - hookbin.com
            - interact.sh
            - oast.fun
            - burpcollaborator.net
            - ngrok.io
            - ngrok-free.app
            - trycloudflare.com
            - transfer.sh
            - file.io
            - tmpfiles.org
            - gofile.io
            - anonfiles.com
            - wetransfer.com
            - mega.nz
        """

    /// The default policy, parsed once (a test proves it parses).
    package static let policy: Policy = {
        do {
            return try PolicyReader.parse(yaml: yaml, file: "(built-in default policy)")
        } catch {
            fatalError("the built-in default policy does not parse: \(error)")
        }
    }()
}
