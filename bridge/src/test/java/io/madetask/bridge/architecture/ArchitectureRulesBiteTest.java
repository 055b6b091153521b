package io.madetask.bridge.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

import io.madetask.bridge.architecture.fixture.EntityUsedElsewhere;
import io.madetask.bridge.architecture.fixture.RawSqlInAService;
import io.madetask.bridge.common.fixture.CommonUsingAFeature;
import io.madetask.bridge.fixturea.A;
import io.madetask.bridge.fixtureb.B;
import io.madetask.bridge.payout.Payout;

/** The house rules can fail: each one, given a class that breaks it (test fixtures), reports the break. */
class ArchitectureRulesBiteTest {

    private static JavaClasses classes(Class<?>... classes) {
        return new ClassFileImporter().importClasses(classes);
    }

    @Test
    void sqlOutsideAStoreIsReported() {
        assertThatThrownBy(() -> ArchitectureTest.sqlOnlyInStores.check(classes(RawSqlInAService.class)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("RawSqlInAService");
    }

    @Test
    void anEntityUsedByAnotherPackageIsReported() {
        assertThatThrownBy(() -> ArchitectureTest.entitiesStayInTheirFeature
                .check(classes(Payout.class, EntityUsedElsewhere.class)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("EntityUsedElsewhere");
    }

    @Test
    void commonImportingAFeatureIsReported() {
        assertThatThrownBy(() -> ArchitectureTest.commonImportsNoFeature.check(classes(CommonUsingAFeature.class)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("CommonUsingAFeature");
    }

    @Test
    void aPackageCycleIsReported() {
        assertThatThrownBy(() -> ArchitectureTest.noPackageCycles.check(classes(A.class, B.class)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Cycle");
    }
}
