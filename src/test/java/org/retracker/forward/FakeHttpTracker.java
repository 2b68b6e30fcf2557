package org.retracker.forward;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * A hand-written HTTP/1.1 tracker on 127.0.0.1 for the forwarder client's tests: plain JDK sockets,
 * one thread per connection, so it can misbehave in ways a real server would not (hang, drip bytes,
 * close after a keep-alive reply). It records every request line and head, counts connections and
 * notices when the client closes one. Answers come from the {@link Responder} set with {@link
 * #answer}.
 */
final class FakeHttpTracker implements AutoCloseable {
    /** Longest request head read; the client sends a few hundred bytes. */
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    /** One request as received. Header names are lower-cased. */
    record Request(
            int connection,
            String line,
            Map<String, String> headers,
            @Nullable String sni) {
        /** The request target: {@code /path?query}. */
        String target() {
            return line.split(" ")[1];
        }

        String query() {
            String t = target();
            return t.substring(t.indexOf('?') + 1);
        }

        String header(String name) {
            String v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? "" : v;
        }
    }

    /** What to do with one request; returns whether to keep the connection open for the next one. */
    @FunctionalInterface
    interface Responder {
        boolean respond(Request request, Connection connection) throws IOException, InterruptedException;
    }

    /** The server side of one connection, for responders. */
    final class Connection {
        private final InputStream in;
        final OutputStream out;
        private boolean counted;

        Connection(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        void write(String ascii) throws IOException {
            out.write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        }

        /** Waits until the client closes the connection (or the tracker is closed). */
        void awaitClientClose() {
            try {
                while (in.read() >= 0) {
                    // discard
                }
            } catch (IOException e) {
                // reset or closed: gone either way
            }
            clientClosed();
        }

        /** Counts this connection as closed by the client, once. */
        void clientClosed() {
            if (!counted) {
                counted = true;
                clientCloses.incrementAndGet();
            }
        }
    }

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger clientCloses = new AtomicInteger();
    private volatile Responder responder = ok(Bodies.compact(new byte[0]));
    private volatile boolean closed;

    private FakeHttpTracker(ServerSocket server) {
        this.server = server;
        Thread accept = new Thread(this::acceptLoop, "fake-tracker-accept");
        accept.setDaemon(true);
        accept.start();
    }

    static FakeHttpTracker start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakeHttpTracker(s);
    }

    /** A TLS tracker with the certificate of {@code tls}. */
    static FakeHttpTracker startTls(SSLContext tls) throws IOException {
        ServerSocket s = tls.getServerSocketFactory().createServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakeHttpTracker(s);
    }

    FakeHttpTracker answer(Responder r) {
        this.responder = r;
        return this;
    }

    int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port><pathAndQuery>}. */
    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    Request lastRequest() {
        List<Request> all = requests();
        if (all.isEmpty()) {
            throw new AssertionError("no request received");
        }
        return all.get(all.size() - 1);
    }

    /** TCP connections accepted so far. */
    int connections() {
        return connections.get();
    }

    /** Connections the client closed while a responder or the request reader waited on them. */
    int clientCloses() {
        return clientCloses.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int id = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, id), "fake-tracker-conn-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s, int id) {
        Connection c = null;
        try (s) {
            c = new Connection(
                    new BufferedInputStream(s.getInputStream()), new BufferedOutputStream(s.getOutputStream()));
            while (!closed) {
                List<String> head = readHead(c.in);
                if (head == null) {
                    c.clientClosed();
                    return;
                }
                Map<String, String> headers = new LinkedHashMap<>();
                for (String field : head.subList(1, head.size())) {
                    int colon = field.indexOf(':');
                    headers.put(
                            field.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            field.substring(colon + 1).trim());
                }
                Request r = new Request(id, head.get(0), headers, sni(s));
                requests.add(r);
                boolean keep = responder.respond(r, c);
                c.out.flush();
                if (!keep) {
                    return;
                }
            }
        } catch (SocketException e) {
            if (c != null && !closed) {
                c.clientClosed(); // reset by the client
            }
        } catch (IOException e) {
            // TLS failure or broken pipe: the connection is over
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The request line and header fields, or null when the client closed first. */
    private static @Nullable List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (++total > MAX_HEAD_BYTES) {
                throw new IOException("request head too large");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
                line.reset();
            } else {
                line.write(b);
            }
        }
    }

    private static @Nullable String sni(Socket s) {
        if (s instanceof SSLSocket tls && tls.getSession() instanceof ExtendedSSLSession session) {
            for (SNIServerName name : session.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        return null;
    }

    // ---- responders ----

    /** 200 with {@code Content-Length}; keeps the connection. */
    static Responder ok(byte[] body) {
        return (r, c) -> {
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n");
            c.out.write(body);
            return true;
        };
    }

    /** 200 with a chunked body in pieces of {@code chunk} bytes; keeps the connection. */
    static Responder chunked(byte[] body, int chunk) {
        return (r, c) -> {
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < body.length; i += chunk) {
                int n = Math.min(chunk, body.length - i);
                c.write(Integer.toHexString(n) + "\r\n");
                c.out.write(body, i, n);
                c.write("\r\n");
            }
            c.write("0\r\n\r\n");
            return true;
        };
    }

    /** 200 without a length: the body ends when the tracker closes the connection. */
    static Responder untilClose(byte[] body) {
        return (r, c) -> {
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
            c.out.write(body);
            return false;
        };
    }

    /** An empty-bodied answer with {@code status} and extra header lines; keeps the connection. */
    static Responder status(String status, String... headerLines) {
        return (r, c) -> {
            StringBuilder s = new StringBuilder("HTTP/1.1 ").append(status).append("\r\n");
            for (String h : headerLines) {
                s.append(h).append("\r\n");
            }
            c.write(s.append("Content-Length: 0\r\n\r\n").toString());
            return true;
        };
    }

    /** Answers as {@code inner} does, then closes the connection without saying so in a header. */
    static Responder closeAfter(Responder inner) {
        return (r, c) -> {
            inner.respond(r, c);
            return false;
        };
    }

    /** Answers as {@code inner} after {@code millis}. */
    static Responder slow(long millis, Responder inner) {
        return (r, c) -> {
            Thread.sleep(millis);
            return inner.respond(r, c);
        };
    }

    /** Reads the request and never answers, until the client gives up. */
    static Responder hang() {
        return (r, c) -> {
            c.awaitClientClose();
            return false;
        };
    }

    /** Announces a 1000-byte body and sends one byte of it every {@code millis}, until the client goes. */
    static Responder drip(long millis) {
        return (r, c) -> {
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nd");
            c.out.flush();
            try {
                for (int i = 0; i < 999; i++) {
                    Thread.sleep(millis);
                    c.out.write('5');
                    c.out.flush();
                }
            } catch (IOException e) {
                c.awaitClientClose();
            }
            return false;
        };
    }

    /** Bencoded bodies. */
    static final class Bodies {
        private Bodies() {}

        /** A compact reply (BEP 23) with {@code peers4} and optional {@code peers6} (BEP 7). */
        static byte[] compact(byte[] peers4) {
            return bytes("d8:completei2e10:incompletei1e8:intervali1800e12:min intervali60e5:peers", str(peers4), "e");
        }

        static byte[] compact(byte[] peers4, byte[] peers6) {
            return bytes(
                    "d8:completei2e10:incompletei1e8:intervali1800e12:min intervali60e5:peers",
                    str(peers4),
                    "6:peers6",
                    str(peers6),
                    "e");
        }

        static byte[] failure(String reason, String retryIn) {
            return bytes("d14:failure reason" + reason.length() + ":" + reason + "8:retry in" + retryIn + "e");
        }

        static byte[] bytes(Object... parts) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Object p : parts) {
                out.writeBytes(p instanceof byte[] b ? b : ((String) p).getBytes(StandardCharsets.ISO_8859_1));
            }
            return out.toByteArray();
        }

        static byte[] str(byte[] value) {
            return bytes(value.length + ":", value);
        }
    }
}
