package import JSONWire
package import NIOCore

/// One Anthropic SSE event: `event: NAME` and a JSON `data:` line.
package struct AnthropicEvent: Equatable {
    package var name: String
    package var data: JSONValue

    package init(name: String, data: JSONValue) {
        self.name = name
        self.data = data
    }

    package var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        write(to: &buffer)
        return buffer
    }

    package func write(to buffer: inout ByteBuffer) {
        buffer.writeStaticString("event: ")
        buffer.writeString(name)
        buffer.writeStaticString("\ndata: ")
        data.write(to: &buffer)
        buffer.writeStaticString("\n\n")
    }
}
