package io.madetask.bridge.fixtureb;

/** The other side of a package cycle, on purpose. */
public class B {

    io.madetask.bridge.fixturea.A a;
}
