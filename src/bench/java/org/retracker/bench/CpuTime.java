package org.retracker.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time consumed by a process, all threads, user and system: this JVM's from the platform MXBean,
 * another process's from {@code /proc/PID/stat} (Linux). The run reads both at the start and the end
 * of the measured window, so the {@code RESULT} line can say what each side spent per response: a
 * figure that holds even when other work shares the machine, unlike the rate.
 */
final class CpuTime {
    /** {@code /proc} counts in clock ticks of {@code USER_HZ}, which is 100 on every Linux ABI. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    /** utime and stime: fields 14 and 15 of {@code /proc/PID/stat}, the 12th and 13th after the state. */
    private static final int UTIME_AFTER_STATE = 11;

    private CpuTime() {}

    /** Nanoseconds of CPU this JVM has used, or -1 when the platform does not say. */
    static long self() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /** Nanoseconds of CPU process {@code pid} has used, or -1 when {@code /proc} cannot tell. */
    static long of(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return -1;
        }
        return parseStat(stat);
    }

    /** utime + stime of a {@code /proc/PID/stat} line in nanoseconds, or -1 if it is malformed. */
    static long parseStat(String stat) {
        int close = stat.lastIndexOf(')'); // the command name may hold spaces and parentheses
        if (close < 0) {
            return -1;
        }
        String[] fields = stat.substring(close + 1).trim().split(" ", -1);
        if (fields.length <= UTIME_AFTER_STATE + 1) {
            return -1;
        }
        try {
            long ticks = Long.parseLong(fields[UTIME_AFTER_STATE]) + Long.parseLong(fields[UTIME_AFTER_STATE + 1]);
            return ticks * NANOS_PER_TICK;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
