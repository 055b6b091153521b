package io.madetask.bridge.testing;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.madetask.sandbox.MadeTaskSandbox;

/**
 * The packaged bridge ({@code target/quarkus-app/quarkus-run.jar}, or the native executable when the build is
 * {@code -Dnative}) as a separate operating-system process, pointed at a sandbox and a database, that tests can kill
 * with SIGKILL and start again.
 */
public final class BridgeProcess implements AutoCloseable {

    public static final String KEY = Base64.getEncoder().encodeToString("it-only-key-0123456789abcdef-012".getBytes());

    private final String name;
    private final Map<String, String> config = new LinkedHashMap<>();
    private final Path log;
    private final int port;
    private final int managementPort;
    private final List<String> jvmArgs = new ArrayList<>();
    private boolean defaultHeap = true;
    private final MadeTaskSandbox sandbox;
    private Process process;
    private javax.net.ssl.SSLContext managementTls;
    private int starts;

    public BridgeProcess(String name, MadeTaskSandbox sandbox, ServerDatabase db, Map<String, String> extra)
            throws IOException {
        this.name = name;
        this.sandbox = sandbox;
        this.port = freePort();
        this.managementPort = freePort();
        Path logs = Path.of("target", "it-logs");
        Files.createDirectories(logs);
        this.log = logs.resolve(name + "-" + db.name + ".log");
        config.put("quarkus.http.port", Integer.toString(port));
        config.put("quarkus.management.port", Integer.toString(managementPort));
        config.put("quarkus.datasource.reactive.url", db.reactiveUrl());
        config.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        config.put("quarkus.datasource.username", db.user());
        config.put("quarkus.datasource.password", db.password());
        config.put("madetask.base-url", sandbox.baseUrl());
        config.put("madetask.client-id", "bridge");
        config.put("madetask.client-secret", "bridge-secret");
        config.put("madetask.webhook-secret", SandboxResource.WEBHOOK_SECRET);
        config.put("quarkus.oidc.auth-server-url", sandbox.issuer());
        config.put("bridge.security.audience", MadeTaskSandbox.DEV_AUDIENCE);
        config.put("bridge.crypto.active-key", KEY);
        config.put("bridge.sync.instance-id", name);
        // Production values for everything that decides behaviour under faults; only schedules are shorter.
        config.put("bridge.sync.poll-interval", "200MS");
        config.put("bridge.sync.catch-up-interval", "2S");
        config.put("bridge.payouts.poll-interval", "200MS");
        config.put("bridge.payouts.reconcile-after", "5S");
        config.put("bridge.payouts.reconcile-interval", "2S");
        config.putAll(extra);
    }

    /** Starts the JVM with exactly the options given by {@link #jvmArg}, without the tests' default heap size. */
    public BridgeProcess withoutDefaultHeap() {
        this.defaultHeap = false;
        return this;
    }

    /** Extra JVM options for the process (before {@code -jar}). */
    public BridgeProcess jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    /** The management interface: health and metrics (HTTPS when the process has a certificate, see managementTls). */
    public String managementUrl() {
        return (managementTls == null ? "http" : "https") + "://localhost:" + managementPort;
    }

    /**
     * For a process with a certificate: the management interface serves HTTPS with it too, and readiness is checked
     * over it, trusting {@code tls}.
     */
    public BridgeProcess managementTls(javax.net.ssl.SSLContext tls) {
        this.managementTls = tls;
        return this;
    }

    public long pid() {
        return process.pid();
    }

    /** Starts the process, waits until it is ready, and has the sandbox deliver its events to it. */
    public void startReceivingWebhooks() throws IOException, InterruptedException {
        start();
        sandbox.configureWebhook(baseUrl() + "/webhooks/madetask", SandboxResource.WEBHOOK_SECRET);
    }

    /** Starts the process and waits until it is ready. */
    public void start() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        // ./mvnw verify -Dnative runs the native executable, with the same options
        boolean nativeImage = Boolean.getBoolean("bridge.it.native");
        command.add(nativeImage ? new File(System.getProperty("native.image.path")).getAbsolutePath()
                : ProcessHandle.current().info().command().orElse("java"));
        if (defaultHeap) {
            command.add("-Xmx512m");
        }
        command.addAll(jvmArgs);
        // e.g. -Dbridge.it.jvm-args="-XX:StartFlightRecording=filename=target/bench.jfr" to profile a benchmark
        String extra = System.getProperty("bridge.it.jvm-args", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        if (!nativeImage) {
            command.add("-jar");
            command.add(new File("target/quarkus-app/quarkus-run.jar").getAbsolutePath());
        }
        starts++;
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (ready()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " was not ready within 90 s; see " + log);
    }

    /** SIGKILL: no shutdown hook, no goodbye. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, as Kubernetes stops a pod: answers the exit code, or -1 when the process outlived {@code limit}. */
    public int terminate(Duration limit) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            return -1;
        }
        return process.exitValue();
    }

    /** What the process wrote so far (all its starts). */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Peak resident memory of the process so far, in MiB (Linux). */
    /** The process's resident memory now, from /proc. */
    public long rssMib() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    public long peakRssMib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    /** CPU time the process has used so far, user and system, in seconds (Linux, 100 ticks a second). */
    public double cpuSeconds() throws IOException {
        return ProcessCpu.ofPid(process.pid());
    }

    public int starts() {
        return starts;
    }

    private boolean ready() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(managementUrl() + "/q/health/ready").toURL()
                    .openConnection();
            if (c instanceof javax.net.ssl.HttpsURLConnection https) {
                https.setSSLSocketFactory(managementTls.getSocketFactory());
            }
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
