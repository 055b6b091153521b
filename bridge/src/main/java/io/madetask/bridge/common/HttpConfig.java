package io.madetask.bridge.common;

import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** This API's own limits on a request, answered as problem+json (the body's size is quarkus.http.limits'). */
@ConfigMapping(prefix = "bridge.http")
public interface HttpConfig {

    /** The longest path and query taken; a longer one is 414 {@code uri_too_long}. */
    @WithDefault("8K")
    MemorySize maxRequestLine();

    /** The most header bytes taken (names, values and separators); more is 431 {@code headers_too_large}. */
    @WithDefault("32K")
    MemorySize maxHeaders();

    /** How long after its headers a request's body may take to arrive; a slower one is 408 {@code request_timeout}. */
    @WithDefault("30S")
    Duration bodyTimeout();
}
