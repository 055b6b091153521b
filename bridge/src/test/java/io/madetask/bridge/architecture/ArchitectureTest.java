package io.madetask.bridge.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import jakarta.persistence.Entity;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The house rules of docs/architecture.md, checked on the production classes: which package may use which, no
 * cycles, SQL only in the stores, each feature's tables (its entities) reached only from inside the feature, and
 * nothing of the sandbox or dev mode in the service.
 */
@AnalyzeClasses(packages = "io.madetask.bridge", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] FEATURES = {"..bridge.audit..", "..bridge.executor..", "..bridge.task..",
        "..bridge.payout..", "..bridge.crm..", "..bridge.sync..", "..bridge.me.."};

    /** A call that sends SQL to PostgreSQL: the Vert.x SQL client's query methods, or a native Hibernate query. */
    private static final DescribedPredicate<JavaMethodCall> RUNS_SQL = new DescribedPredicate<>("run SQL") {
        @Override
        public boolean test(JavaMethodCall call) {
            String owner = call.getTargetOwner().getName();
            String name = call.getName();
            boolean sqlClient = owner.startsWith("io.vertx.mutiny.sqlclient.") || owner.startsWith("io.vertx.sqlclient.");
            return sqlClient && (name.equals("query") || name.equals("preparedQuery") || name.equals("preparedBatch"))
                    || name.equals("createNativeQuery");
        }
    };

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.madetask.bridge.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule commonImportsNoFeature = noClasses().that().resideInAPackage("..bridge.common..")
            .should().dependOnClassesThat().resideInAnyPackage(withEvents(FEATURES))
            .orShould().dependOnClassesThat().resideInAnyPackage("..bridge.madetask..", "..bridge.work..");

    @ArchTest
    static final ArchRule madetaskImportsNoFeature = noClasses().that().resideInAPackage("..bridge.madetask..")
            .should().dependOnClassesThat().resideInAnyPackage(withEvents(FEATURES))
            .orShould().dependOnClassesThat().resideInAnyPackage("..bridge.work..");

    @ArchTest
    static final ArchRule workAndSecurityImportNoFeature = noClasses()
            .that().resideInAnyPackage("..bridge.work..", "..bridge.security..")
            .should().dependOnClassesThat().resideInAnyPackage(withEvents(FEATURES))
            .orShould().dependOnClassesThat().resideInAPackage("..bridge.madetask..");

    @ArchTest
    static final ArchRule eventsAreAboveTheFeatures = noClasses().that().resideInAnyPackage(FEATURES)
            .should().dependOnClassesThat().resideInAPackage("..bridge.events..");

    @ArchTest
    static final ArchRule sqlOnlyInStores = noClasses()
            .that().haveSimpleNameNotEndingWith("Store").and().resideOutsideOfPackage("..bridge.work..")
            .should().callMethodWhere(RUNS_SQL)
            .because("each table has one owner package, and only its store runs SQL on it (docs/architecture.md)");

    @ArchTest
    static final ArchRule storesStayInTheirFeature = classes().that().haveSimpleNameEndingWith("Store")
            .should().notBePublic().orShould(beUsedOnlyInsideTheirPackage())
            .because("other features ask the owner's service, never its store");

    @ArchTest
    static final ArchRule entitiesStayInTheirFeature = classes().that().areAnnotatedWith(Entity.class)
            .should(beUsedOnlyInsideTheirPackage())
            .because("a feature's tables are reached through its own Java API, not through its entities");

    @ArchTest
    static final ArchRule noSandboxOrDevModeInTheService = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("io.madetask.sandbox..", "io.madetask.dev..", "io.zonky..")
            .because("the production artifact holds neither the MadeTask sandbox nor the embedded PostgreSQL");

    @ArchTest
    static final ArchRule resourcesDoNotRunSqlOrOpenTransactions = noClasses()
            .that().haveSimpleNameEndingWith("Resource")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.quarkus.hibernate.reactive.panache.Panache")
            .orShould().dependOnClassesThat().resideInAPackage("io.vertx.mutiny.sqlclient..");

    private static String[] withEvents(String[] features) {
        String[] all = java.util.Arrays.copyOf(features, features.length + 1);
        all[features.length] = "..bridge.events..";
        return all;
    }

    private static ArchCondition<JavaClass> beUsedOnlyInsideTheirPackage() {
        return new ArchCondition<>("be used only inside their own package") {
            @Override
            public void check(JavaClass owned, ConditionEvents events) {
                for (Dependency d : owned.getDirectDependenciesToSelf()) {
                    if (!d.getOriginClass().getPackageName().equals(owned.getPackageName())) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                }
            }
        };
    }
}
