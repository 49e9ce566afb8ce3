package dev.offload;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The layering the design promises, checked on the compiled classes. */
class ArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.offload");

  @Test
  void theSpiDoesNotReachIntoInternals() {
    noClasses()
        .that()
        .resideInAPackage("dev.offload.spi..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.offload.internal..")
        .check(CORE);
  }

  @Test
  void thePublicApiUsesInternalsOnlyThroughItsFactories() {
    noClasses()
        .that()
        .resideInAPackage("dev.offload")
        .and()
        .doNotHaveSimpleName("OffloadBuilder")
        .and()
        .doNotHaveSimpleName("JobStores")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.offload.internal..")
        .check(CORE);
  }

  @Test
  void javaSerializationIsNeverUsed() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.io.ObjectOutputStream")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.io.ObjectInputStream")
        .check(CORE);
  }

  @Test
  void internalsDoNotDependOnTheDemoTasks() {
    noClasses()
        .that()
        .resideInAPackage("dev.offload.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.offload.demo..")
        .check(CORE);
  }
}
