package dev.offload.dashboard;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Writes the screenshots in {@code docs/screenshots}. Not part of the normal build: it runs only
 * when the {@code offload.screenshots} property names a directory:
 *
 * <pre>
 * mvn -B -ntp -pl offload-dashboard -am verify -Dtest=DashboardScreenshots \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Doffload.screenshots=$PWD/docs/screenshots
 * </pre>
 *
 * To fill the hour-long chart in seconds, the dashboard's clock runs 90 times faster than real
 * time, starting 40 minutes ago; job times on the other pages are real.
 */
class DashboardScreenshots {
  private static final int SPEED = 90;

  @Test
  void takeScreenshots() throws Exception {
    String dir = System.getProperty("offload.screenshots", "");
    Assumptions.assumeFalse(dir.isBlank(), "set -Doffload.screenshots=DIR to write screenshots");
    Path out = Path.of(dir);
    Files.createDirectories(out);
    Instant realStart = Instant.now();
    Instant shownStart = realStart.minus(Duration.ofMinutes(40));
    InstantSource fast =
        () -> shownStart.plus(Duration.between(realStart, Instant.now()).multipliedBy(SPEED));

    try (DemoServer demo = new DemoServer(fast)) {
      Http http = new Http(demo.url());
      Random random = new Random(7);
      String failed = null;
      String running = null;
      List<String> ids = new ArrayList<>();
      // About 27 s of load: 40 minutes on the fast clock.
      long end = System.nanoTime() + Duration.ofSeconds(27).toNanos();
      int round = 0;
      while (System.nanoTime() < end) {
        int burst = 1 + (int) (3 * (1 + Math.sin(round / 4.0))) + random.nextInt(2);
        for (int i = 0; i < burst; i++) {
          String queue = i % 3 == 0 ? "reports" : i % 3 == 1 ? "default" : "emails";
          int ms = 2 + random.nextInt(round % 7 == 0 ? 80 : 15);
          ids.add(
              http.submit(
                  "{\"task\":\"spin\",\"queue\":\"" + queue + "\",\"input\":{\"ms\":" + ms + "}}"));
        }
        if (round % 5 == 0) {
          http.submit("{\"task\":\"primes\",\"queue\":\"reports\",\"input\":{\"n\":500000}}");
        }
        if (round % 9 == 0) {
          String id =
              http.submit(
                  "{\"task\":\"flaky\",\"queue\":\"emails\",\"input\":{\"failures\":5},\"maxAttempts\":2}");
          failed = failed == null ? id : failed;
        }
        if (round % 6 == 0) {
          http.submit("{\"task\":\"flaky\",\"input\":{\"failures\":1},\"maxAttempts\":3}");
        }
        round++;
        Thread.sleep(300);
      }
      running =
          http.submit(
              "{\"task\":\"spin\",\"queue\":\"reports\",\"priority\":10,\"input\":{\"ms\":600000}}");
      http.submit(
          "{\"task\":\"sha256\",\"input\":{\"text\":\"offload\",\"rounds\":1000},\"delay\":\"PT10M\"}");
      for (int i = 0; i < 3; i++) {
        http.submit("{\"task\":\"spin\",\"queue\":\"reports\",\"input\":{\"ms\":600000}}");
      }
      String failedId = failed;
      String runningId = running;
      await().atMost(Duration.ofSeconds(60)).until(() -> "running".equals(http.state(runningId)));
      await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(http.state(failedId)));

      ChromeDriver browser = Browser.start(1280, 900);
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        browser.get(demo.url() + "/");
        wait.until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("tr[data-queue='reports']")));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.chart rect")));
        Thread.sleep(500);
        shot(browser, out.resolve("overview.png"), 1280);

        browser.get(demo.url() + "/#/jobs");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-job-id]")));
        Thread.sleep(300);
        shot(browser, out.resolve("jobs.png"), 1280);

        browser.get(demo.url() + "/#/jobs/" + failedId);
        wait.until(
            ExpectedConditions.presenceOfElementLocated(By.cssSelector("details.stack pre")));
        Thread.sleep(300);
        shot(browser, out.resolve("job-failed.png"), 1280);

        browser.get(demo.url() + "/#/jobs/" + running);
        wait.until(
            ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-action='cancel']")));
        Thread.sleep(300);
        shot(browser, out.resolve("job-running.png"), 1280);

        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        browser.get(demo.url() + "/");
        wait.until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("tr[data-queue='reports']")));
        Thread.sleep(500);
        shot(browser, out.resolve("phone-overview.png"), 390);
        browser.get(demo.url() + "/#/jobs?state=failed");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-job-id]")));
        Thread.sleep(300);
        shot(browser, out.resolve("phone-jobs.png"), 390);
      } finally {
        browser.quit();
      }
    }
  }

  /** A full-page screenshot: the window is stretched to the page's height first. */
  private static void shot(ChromeDriver browser, Path file, int width) throws IOException {
    Object h = browser.executeScript("return document.documentElement.scrollHeight");
    int height = Math.min(4000, ((Number) h).intValue());
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(width, height + 120));
    Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(width, 900));
  }
}
