package io.madetask.bridge;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.madetask.bridge.common.ProductionSettings;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.smallrye.config.DotEnvConfigSourceProvider;
import io.smallrye.config.PropertiesConfigSourceLoader;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Starts the bridge; in production, only once {@link ProductionSettings} finds every required setting, read from
 * where Quarkus reads them (system properties, environment, .env, config/application.properties, the packaged
 * application.properties). Otherwise it prints one message listing them all and exits with
 * {@link ProductionSettings#EXIT_CODE}.
 */
@QuarkusMain
public class BridgeMain {

    public static void main(String... args) {
        if (packaged() && production()) {
            SmallRyeConfig config = configuration();
            List<String> problems = ProductionSettings.problems(name -> config.getOptionalValue(name, String.class));
            if (!problems.isEmpty()) {
                System.err.println(ProductionSettings.report(problems));
                System.exit(ProductionSettings.EXIT_CODE);
            }
        }
        Quarkus.run(args);
    }

    /**
     * The packaged application: the jar ({@code java -jar quarkus-run.jar}, as the images run it) or the native
     * executable. Dev mode calls this method too, before its launch mode is known, with its own class path.
     */
    private static boolean packaged() {
        return System.getProperty("org.graalvm.nativeimage.imagecode") != null
                || System.getProperty("java.class.path", "").endsWith("quarkus-run.jar");
    }

    private static boolean production() {
        String profile = Optional.ofNullable(System.getProperty("quarkus.profile"))
                .or(() -> Optional.ofNullable(System.getenv("QUARKUS_PROFILE"))).orElse("prod");
        return List.of(profile.split(",")).contains("prod");
    }

    /** The sources and ordinals Quarkus uses at run time. */
    private static SmallRyeConfig configuration() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        String local = Path.of(System.getProperty("user.dir"), "config", "application.properties").toUri().toString();
        return new SmallRyeConfigBuilder().withProfile("prod").addDefaultInterceptors().addDefaultSources()
                .withSources(DotEnvConfigSourceProvider.dotEnvSources(loader))
                .withSources(PropertiesConfigSourceLoader.inFileSystem(local, 260, loader))
                .withSources(PropertiesConfigSourceLoader.inClassPath("application.properties", 250, loader))
                .build();
    }
}
