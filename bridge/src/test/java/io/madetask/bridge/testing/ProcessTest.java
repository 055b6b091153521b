package io.madetask.bridge.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.madetask.sandbox.MadeTaskSandbox;
import io.madetask.sandbox.SandboxFaults;

/**
 * What every test of the bridge as its own process ({@link BridgeProcess}) sets up: a standalone sandbox of its own for
 * each test, started with the fault knobs of {@link #startingFaults}, and stopped when the test ends.
 */
public abstract class ProcessTest {

    private StandaloneSandbox standalone;
    protected MadeTaskSandbox sandbox;

    /** Sets the knobs the sandbox starts with; the sandbox's defaults unless a class overrides this. */
    protected void startingFaults(SandboxFaults faults) {
    }

    @BeforeEach
    void startSandbox() {
        SandboxFaults faults = new SandboxFaults();
        startingFaults(faults);
        standalone = new StandaloneSandbox(faults);
        sandbox = standalone.sandbox;
    }

    @AfterEach
    void stopSandbox() {
        standalone.close();
    }
}
