package io.madetask.bridge.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time as Linux counts it, for benchmarks that say where a machine's cores went. */
public final class ProcessCpu {

    private static final double TICKS = 100.0;

    private ProcessCpu() {
    }

    /** User plus system CPU seconds of a process. */
    public static double ofPid(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    }

    /** This JVM's CPU seconds (in the benchmarks: the MadeTask sandbox and the test's own polling). */
    public static double ofThisJvm() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** CPU seconds the whole machine spent busy (all cores, everything but idle and I/O wait). */
    public static double ofMachine() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy / TICKS;
    }
}
