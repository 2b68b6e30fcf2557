package org.retracker.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection to the tracker, spoken to byte by byte: the test writes raw request heads (so
 * it can send anything, pipelined or cut short) and reads responses one at a time. Every read has
 * a bounded timeout.
 */
final class HttpConnection implements AutoCloseable {
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;

    private HttpConnection(Socket socket, String host) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.host = host;
    }

    /** Connects to {@code server}, from {@code bind} (a loopback address) on an ephemeral port. */
    static HttpConnection open(InetSocketAddress server, InetAddress bind) {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(bind, 0));
            s.connect(server, (int) READ_TIMEOUT.toMillis());
            s.setSoTimeout((int) READ_TIMEOUT.toMillis());
            s.setTcpNoDelay(true);
            String h = server.getAddress().getHostAddress();
            return new HttpConnection(s, (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + server.getPort());
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException(e);
        }
    }

    /** The value for a {@code Host} field. */
    String host() {
        return host;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    /** {@code GET target HTTP/1.1} with {@code Host} and {@code extraHeaders} (whole lines, no CRLF). */
    static String requestHead(String target, String host, String... extraHeaders) {
        StringBuilder sb = new StringBuilder("GET ")
                .append(target)
                .append(" HTTP/1.1\r\nHost: ")
                .append(host)
                .append("\r\n");
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** Sends a keep-alive GET and reads its response. */
    HttpReply get(String target, String... extraHeaders) {
        write(requestHead(target, host, extraHeaders));
        return read();
    }

    void write(String ascii) {
        write(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void readTimeout(Duration d) {
        try {
            socket.setSoTimeout((int) d.toMillis());
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response: status line, fields, then a body of exactly {@code Content-Length}. */
    HttpReply read() {
        try {
            String statusLine = line();
            if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
                throw new AssertionError("not an HTTP/1.1 status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new HashMap<>();
            for (String field = line(); !field.isEmpty(); field = line()) {
                int colon = field.indexOf(':');
                if (colon <= 0) {
                    throw new AssertionError("malformed header field: " + field);
                }
                String name = field.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                if (headers.put(name, field.substring(colon + 1).trim()) != null) {
                    throw new AssertionError("header field repeated: " + name);
                }
            }
            String length = headers.get("content-length");
            if (length == null) {
                throw new AssertionError("no Content-Length in " + headers);
            }
            byte[] body = in.readNBytes(Integer.parseInt(length));
            if (body.length != Integer.parseInt(length)) {
                throw new EOFException("body cut short at " + body.length + " of " + length + " bytes");
            }
            return new HttpReply(status, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed after " + b.size() + " bytes of a line");
            }
            if (c == '\n') {
                break;
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        if (!s.endsWith("\r")) {
            throw new AssertionError("line not ended by CRLF: " + s);
        }
        return s.substring(0, s.length() - 1);
    }

    /**
     * Waits (up to the read timeout) for the server to close: true when the stream ends or is
     * reset; fails if a byte arrives instead or nothing happens in time.
     */
    boolean closedByServer() {
        try {
            int b = in.read();
            if (b >= 0) {
                throw new AssertionError("expected the connection to be closed, got byte " + b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + READ_TIMEOUT, e);
        } catch (SocketException e) {
            return true; // reset: closed too
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when nothing (neither data nor close) arrives within {@code d}. */
    boolean silentFor(Duration d) {
        try {
            socket.setSoTimeout((int) d.toMillis());
            try {
                int b = in.read();
                throw new AssertionError(b < 0 ? "connection closed" : "unexpected byte " + b);
            } catch (SocketTimeoutException expected) {
                return true;
            } finally {
                socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
