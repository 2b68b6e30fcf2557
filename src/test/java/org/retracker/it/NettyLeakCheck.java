package org.retracker.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Netty's {@code ResourceLeakDetector} reports a leak while it runs.
 *
 * <p>Surefire runs tests with {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is
 * tracked; a buffer that is garbage-collected unreleased is logged at ERROR as {@code LEAK: ...} by
 * the {@code io.netty.util.ResourceLeakDetector} logger the next time a buffer is allocated. This
 * extension attaches an appender to that logger, and after the class runs it collects garbage and
 * allocates a few buffers so that pending reports come out, then fails with every report seen
 * since the class started. Reports only appear once the leaked buffer is unreachable: close the
 * servers in {@code @AfterEach}.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {
    static final String LOGGER = "io.netty.util.ResourceLeakDetector";

    private static final LeakAppender APPENDER = install();

    private static final class LeakAppender extends AppenderBase<ILoggingEvent> {
        private final List<String> reports = new ArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)
                    && event.getFormattedMessage().contains("LEAK:")) {
                synchronized (reports) {
                    reports.add(event.getFormattedMessage());
                }
            }
        }

        int count() {
            synchronized (reports) {
                return reports.size();
            }
        }

        List<String> since(int start) {
            synchronized (reports) {
                return List.copyOf(reports.subList(Math.min(start, reports.size()), reports.size()));
            }
        }
    }

    private static LeakAppender install() {
        Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
        if (!logger.isErrorEnabled()) {
            logger.setLevel(Level.ERROR); // reports are only made when ERROR is enabled
        }
        LeakAppender appender = new LeakAppender();
        appender.setContext(logger.getLoggerContext());
        appender.setName("netty-leak-check");
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    /** How many leak reports have been seen so far in this JVM. */
    static int reportCount() {
        return APPENDER.count();
    }

    /** The leak reports seen after the first {@code start}. */
    static List<String> reportsSince(int start) {
        return APPENDER.since(start);
    }

    /**
     * Makes pending leak reports come out: the detector checks its reference queue when it tracks a
     * new buffer, and paranoid mode tracks every one.
     */
    static void collectGarbageAndProbe() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20); // let the reference handler enqueue what the GC cleared
            ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(16);
            probe.release();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(ExtensionContext.Namespace.create(NettyLeakCheck.class))
                .put("start", reportCount());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        Integer start = context.getStore(ExtensionContext.Namespace.create(NettyLeakCheck.class))
                .get("start", Integer.class);
        collectGarbageAndProbe();
        List<String> leaks = reportsSince(start == null ? 0 : start);
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported during " + context.getDisplayName()
                    + ":\n" + String.join("\n\n", leaks));
        }
    }
}
