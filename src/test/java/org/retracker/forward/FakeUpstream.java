package org.retracker.forward;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An in-process external tracker for the scheduling tests: records every announce and answers
 * with {@link #responder}, or leaves the announce hanging while that is {@code null}.
 */
final class FakeUpstream implements UpstreamClient {
    private final ForwarderSpec spec;
    private final List<UpstreamAnnounce> received = new ArrayList<>();
    private final List<CompletableFuture<UpstreamReply>> hanging = new ArrayList<>();
    private volatile @Nullable Function<UpstreamAnnounce, UpstreamReply> responder;
    private volatile boolean closed;

    FakeUpstream(ForwarderSpec spec) {
        this.spec = spec;
    }

    static ForwarderSpec spec(String name) {
        return new ForwarderSpec(
                name, URI.create("http://" + name + ".invalid/announce"), ForwarderSpec.Scheme.HTTP, null, null);
    }

    /** Answers every announce with {@code reply}. */
    FakeUpstream answering(UpstreamReply reply) {
        responder = a -> reply;
        return this;
    }

    FakeUpstream answering(Function<UpstreamAnnounce, UpstreamReply> r) {
        responder = r;
        return this;
    }

    /** Leaves every later announce hanging until {@link #release}. */
    FakeUpstream hanging() {
        responder = null;
        return this;
    }

    @Override
    public ForwarderSpec spec() {
        return spec;
    }

    @Override
    public synchronized CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce) {
        received.add(announce);
        Function<UpstreamAnnounce, UpstreamReply> r = responder;
        if (r != null) {
            return CompletableFuture.completedFuture(r.apply(announce));
        }
        CompletableFuture<UpstreamReply> f = new CompletableFuture<>();
        hanging.add(f);
        return f;
    }

    /** Completes the hanging announces with {@code reply}. */
    synchronized void release(UpstreamReply reply) {
        for (CompletableFuture<UpstreamReply> f : hanging) {
            f.complete(reply);
        }
        hanging.clear();
    }

    synchronized List<UpstreamAnnounce> received() {
        return List.copyOf(received);
    }

    synchronized int count() {
        return received.size();
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        release(UpstreamReply.error("closed"));
    }
}
