package io.madetask.bridge.testing;

import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.madetask.sandbox.MadeTaskSandbox;
import io.madetask.sandbox.SandboxFaults;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * What every test against the sandbox of {@link SandboxResource} sets up: the sandbox injected, the bridge's API at
 * hand, and the sandbox's fault knobs back as they were when each test ends (the sandbox is shared with the other test
 * classes on the same application). A class still names its resources itself ({@code @WithTestResource}), so that
 * Quarkus groups the applications as it did.
 */
public abstract class SandboxTest {

    @InjectSandbox
    protected MadeTaskSandbox sandbox;

    /** The bridge's API, with tokens from the sandbox's dev issuer. */
    protected BridgeApi api;

    private SandboxFaults faultsBefore;

    @BeforeEach
    void useTheSandbox() {
        api = new BridgeApi(sandbox);
        faultsBefore = sandbox.faults();
    }

    @AfterEach
    void restoreTheSandboxFaults() {
        sandbox.applyFaults(faultsBefore);
    }

    /** Changes some of the sandbox's fault knobs and keeps the others. */
    protected void faults(Consumer<SandboxFaults> change) {
        SandboxFaults faults = sandbox.faults();
        change.accept(faults);
        sandbox.applyFaults(faults);
    }

    /** The sandbox as {@link SandboxResource} started it (no data, no counters), and every breaker closed. */
    protected void resetSandbox() {
        sandbox.reset();
        CircuitBreakerMaintenance.get().resetAll();
    }
}
