package io.madetask.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.ServerDatabase;
import io.madetask.bridge.testing.StandaloneSandbox;

/**
 * HTTPS with a self-signed certificate made for the test: TLS 1.2 and 1.3 are served, TLS 1.1 is refused, and plain
 * HTTP can be turned off. Both this JVM and the bridge's allow TLS 1.1 at the JDK level
 * ({@code tls-legacy-allowed.security}), so the refusal is the bridge's configuration at work.
 */
class TlsIT {

    private static final String PASSWORD = "changeit";
    private static Path keystore;
    private static SSLContext client;
    private static StandaloneSandbox sandbox;
    private static ServerDatabase db;

    @BeforeAll
    static void certificate() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "tls-it"));
        keystore = dir.resolve("bridge.p12");
        Files.deleteIfExists(keystore);
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "bridge", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD).inheritIO().start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0).as("keytool").isTrue();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);
        sandbox = new StandaloneSandbox(new SandboxFaults());
        db = new ServerDatabase();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (sandbox != null) {
            sandbox.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private static BridgeProcess bridge(String name, int tlsPort, boolean plainHttp) throws IOException {
        Map<String, String> tls = new java.util.HashMap<>(Map.of(
                "quarkus.tls.key-store.p12.path", keystore.toAbsolutePath().toString(),
                "quarkus.tls.key-store.p12.password", PASSWORD,
                "quarkus.http.ssl-port", Integer.toString(tlsPort)));
        if (!plainHttp) {
            tls.put("quarkus.http.insecure-requests", "disabled");
        }
        BridgeProcess bridge = new BridgeProcess(name, sandbox.sandbox, db, tls)
                .jvmArg("-Djava.security.properties=" + Path.of("src/test/resources/tls-legacy-allowed.security")
                        .toAbsolutePath());
        // with a certificate, the management interface serves HTTPS too
        return bridge.managementTls(client);
    }

    /** Answers the protocol the handshake settled on. */
    private static String handshake(SSLContext context, int port, String protocol) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(5_000);
            socket.setEnabledProtocols(new String[] {protocol});
            socket.startHandshake();
            return socket.getSession().getProtocol();
        }
    }

    @Test
    void servesTls12And13AndRefusesTls11() throws Exception {
        int tlsPort = BridgeProcess.freePort();
        try (BridgeProcess bridge = bridge("tls", tlsPort, true)) {
            bridge.start();
            assertThat(handshake(client, tlsPort, "TLSv1.3")).isEqualTo("TLSv1.3");
            assertThat(handshake(client, tlsPort, "TLSv1.2")).isEqualTo("TLSv1.2");
            assertThatThrownBy(() -> handshake(client, tlsPort, "TLSv1.1")).isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(e instanceof SSLHandshakeException
                            || e instanceof java.net.SocketException || e instanceof java.io.EOFException).isTrue());

            HttpsURLConnection https = (HttpsURLConnection) URI.create("https://localhost:" + tlsPort
                    + "/q/openapi").toURL().openConnection();
            https.setSSLSocketFactory(client.getSocketFactory());
            assertThat(https.getResponseCode()).isEqualTo(200);
            // the management port uses the same certificate and the same TLS settings
            URI management = URI.create(bridge.managementUrl());
            assertThat(management.getScheme()).isEqualTo("https");
            assertThat(handshake(client, management.getPort(), "TLSv1.3")).isEqualTo("TLSv1.3");
            assertThatThrownBy(() -> handshake(client, management.getPort(), "TLSv1.1"))
                    .isInstanceOf(IOException.class);
            HttpsURLConnection health = (HttpsURLConnection) URI.create(bridge.managementUrl() + "/q/health/live")
                    .toURL().openConnection();
            health.setSSLSocketFactory(client.getSocketFactory());
            assertThat(health.getResponseCode()).isEqualTo(200);
        }
    }

    /** Answers the suite a TLS 1.2 handshake offering only {@code suite} settled on. */
    private static String handshakeWith(SSLContext context, int port, String suite) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(5_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {suite});
            socket.startHandshake();
            return socket.getSession().getCipherSuite();
        }
    }

    /** Suites without forward secrecy (static RSA) or with CBC: a scanner's findings; this JVM can offer each. */
    private static final List<String> REFUSED = List.of("TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");

    @Test
    void onTls12OnlyForwardSecretAeadSuitesAreServedAndHttpsAnswersCarryHsts() throws Exception {
        int tlsPort = BridgeProcess.freePort();
        try (BridgeProcess bridge = bridge("tls-suites", tlsPort, true)) {
            bridge.start();
            assertThat(handshakeWith(client, tlsPort, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
                    .isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
            assertThat(handshakeWith(client, tlsPort, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"))
                    .isEqualTo("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
            for (String suite : REFUSED) {
                assertThatThrownBy(() -> handshakeWith(client, tlsPort, suite)).as(suite)
                        .isInstanceOf(IOException.class);
            }
            HttpsURLConnection https = (HttpsURLConnection) URI.create("https://localhost:" + tlsPort
                    + "/q/openapi").toURL().openConnection();
            https.setSSLSocketFactory(client.getSocketFactory());
            assertThat(https.getResponseCode()).isEqualTo(200);
            assertThat(https.getHeaderField("Strict-Transport-Security")).startsWith("max-age=");
            assertThat(https.getHeaderField("X-Content-Type-Options")).isEqualTo("nosniff");
        }
    }

    @Test
    void thisJvmCanOfferTheRefusedSuitesSoTheRefusalIsTheBridges() throws Exception {
        SSLContext server = permissiveServer();
        for (String suite : REFUSED) {
            try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0)) {
                listener.setEnabledProtocols(new String[] {"TLSv1.2"});
                listener.setEnabledCipherSuites(new String[] {suite});
                Thread accept = new Thread(() -> {
                    try (SSLSocket s = (SSLSocket) listener.accept()) {
                        s.startHandshake();
                    } catch (IOException e) {
                        // the client's assertion tells
                    }
                });
                accept.start();
                assertThat(handshakeWith(client, listener.getLocalPort(), suite)).isEqualTo(suite);
                accept.join(5_000);
            }
        }
    }

    private static SSLContext permissiveServer() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keys.getKeyManagers(), null, null);
        return server;
    }

    @Test
    void thisJvmCanSpeakTls11SoTheRefusalIsTheBridges() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keys.getKeyManagers(), null, null);
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0)) {
            listener.setEnabledProtocols(new String[] {"TLSv1.1", "TLSv1.2"});
            Thread accept = new Thread(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                } catch (IOException e) {
                    // the client's assertion tells
                }
            });
            accept.start();
            assertThat(handshake(client, listener.getLocalPort(), "TLSv1.1")).isEqualTo("TLSv1.1");
            accept.join(5_000);
        }
    }

    @Test
    void plainHttpCanBeTurnedOff() throws Exception {
        int tlsPort = BridgeProcess.freePort();
        try (BridgeProcess bridge = bridge("tls-only", tlsPort, false)) {
            bridge.start();
            URI plain = URI.create(bridge.baseUrl());
            assertThatThrownBy(() -> new Socket(plain.getHost(), plain.getPort()).close())
                    .isInstanceOf(ConnectException.class);
            assertThat(handshake(client, tlsPort, "TLSv1.2")).isEqualTo("TLSv1.2");
        }
    }
}
