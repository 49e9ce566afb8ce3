package dev.offload.dashboard;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Debian Chromium driven through Debian's chromedriver, both given by path so Selenium
 * Manager never downloads anything. {@code OFFLOAD_CHROMIUM} and {@code OFFLOAD_CHROMEDRIVER}
 * override the paths. Missing binaries skip the browser tests, or fail them when {@code CI=true}.
 */
final class Browser {
  private Browser() {}

  static ChromeDriver start(int width, int height) {
    Path chromium = binary("OFFLOAD_CHROMIUM", "/usr/bin/chromium");
    Path driver = binary("OFFLOAD_CHROMEDRIVER", "/usr/bin/chromedriver");
    System.setProperty("webdriver.chrome.driver", driver.toString());
    Path profile = Path.of("target", "chrome-profile-" + UUID.randomUUID()).toAbsolutePath();
    try {
      Files.createDirectories(profile);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + profile, e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--no-first-run",
        "--no-default-browser-check",
        "--force-color-profile=srgb",
        "--lang=en-US",
        "--window-size=" + width + "," + height,
        "--user-data-dir=" + profile);
    options.setExperimentalOption("prefs", Map.of("intl.accept_languages", "en-US"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver.toFile())
            .usingAnyFreePort()
            .withTimeout(Duration.ofSeconds(30))
            .build();
    return new ChromeDriver(service, options);
  }

  private static Path binary(String env, String fallback) {
    String configured = System.getenv(env);
    Path p = Path.of(configured != null && !configured.isBlank() ? configured : fallback);
    if (!Files.isExecutable(p)) {
      String message =
          p
              + " not found: install Debian's chromium and chromium-driver packages"
              + " (apt-get install -y chromium chromium-driver) or set "
              + env;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message);
      }
      Assumptions.abort("browser tests skipped: " + message);
    }
    return p;
  }
}
