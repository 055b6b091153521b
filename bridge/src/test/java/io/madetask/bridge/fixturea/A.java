package io.madetask.bridge.fixturea;

/** One side of a package cycle, on purpose. */
public class A {

    io.madetask.bridge.fixtureb.B b;
}
