package dev.offload.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Wait;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium against a real server: jobs submitted through the API show up
 * and finish on screen without a reload, a running job is cancelled from the page, a failed job
 * shows its error and stack trace, is retried and deleted. One server and one browser for the class
 * to keep it quick.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
  private DemoServer demo;
  private Http http;
  private ChromeDriver browser;
  private Wait<WebDriver> wait;

  @BeforeAll
  void start() {
    browser = Browser.start(1280, 900);
    demo = new DemoServer();
    http = new Http(demo.url());
    // Live updates replace rows under the test's feet: look them up again instead of failing.
    wait =
        new WebDriverWait(browser, Duration.ofSeconds(15))
            .ignoring(StaleElementReferenceException.class);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (demo != null) {
      demo.close();
    }
  }

  @AfterEach
  void noScriptErrors() {
    List<LogEntry> severe =
        browser.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            // A 404 the test provoked on purpose is logged by the browser as a failed load.
            .filter(e -> !e.getMessage().contains("404"))
            .toList();
    assertThat(severe).as("browser console errors").isEmpty();
    browser.manage().window().setSize(new Dimension(1280, 900));
  }

  private void open(String hash) {
    browser.get(demo.url() + "/" + hash);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("main h1")));
  }

  private WebElement row(String jobId) {
    return wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("tr[data-job-id='" + jobId + "']")));
  }

  private void awaitRowState(String jobId, String state) {
    wait.until(
        ExpectedConditions.attributeToBe(
            By.cssSelector("tr[data-job-id='" + jobId + "']"), "data-state", state));
  }

  @Test
  void jobsSubmittedThroughTheApiAppearAndFinishLive() {
    open("#/jobs?task=spin");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("jobs-summary"), "Updates live"));
    wait.until(ExpectedConditions.attributeToBe(By.id("conn"), "data-state", "live"));

    String quick = http.submit("{\"task\":\"spin\",\"queue\":\"live\",\"input\":{\"ms\":300}}");
    String slow = http.submit("{\"task\":\"spin\",\"queue\":\"live\",\"input\":{\"ms\":60000}}");
    // No navigation from here on: everything below arrives over server-sent events.
    row(quick);
    awaitRowState(quick, "succeeded");
    // The event updates the state at once; the row is then re-read for its times.
    wait.until(
        d -> row(quick).findElement(By.cssSelector(".col-took")).getText().matches("[0-9.]+ m?s"));
    awaitRowState(slow, "running");

    // Cancel the long one from its row.
    WebElement cancel = row(slow).findElement(By.cssSelector("button[data-action='cancel']"));
    assertThat(cancel.getAccessibleName())
        .isEqualTo("Cancel job " + slow.substring(slow.length() - 8));
    cancel.click();
    awaitRowState(slow, "cancelled");
    assertThat(http.state(slow)).isEqualTo("cancelled");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "Cancelled job"));
  }

  @Test
  void overviewShowsQueuesWorkersAndTheLastHour() {
    open("#/");
    String workerId = demo.offload.workers().get(0).id();
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("tr[data-worker='" + workerId + "']")));
    for (int i = 0; i < 3; i++) {
      http.submit("{\"task\":\"spin\",\"queue\":\"overview\",\"input\":{\"ms\":5}}");
    }
    // The queue row appears and counts its jobs as they finish, without a reload.
    wait.until(d -> {
      List<WebElement> cells = d.findElements(By.cssSelector("tr[data-queue='overview'] td"));
      return cells.size() > 3 && cells.get(3).getText().equals("3");
    });
    wait.until(d ->
        d.findElement(By.cssSelector("svg.chart desc"))
            .getAttribute("textContent")
            .contains("finished in the last hour"));
    assertThat(browser.findElements(By.cssSelector("svg.chart rect.bar.ok"))).isNotEmpty();
    assertThat(browser.findElement(By.cssSelector("tr[data-worker] td:nth-of-type(3)")).getText())
        .isEqualTo("2");
  }

  @Test
  void aFailedJobShowsItsErrorAndStackTraceAndCanBeRetriedAndDeleted() {
    String id =
        http.submit(
            "{\"task\":\"flaky\",\"queue\":\"failing\",\"input\":{\"failures\":3},\"maxAttempts\":2}");
    await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(http.state(id)));

    open("#/jobs?state=failed&queue=failing");
    row(id).findElement(By.cssSelector("th a")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "failed"));
    assertThat(browser.findElement(By.cssSelector(".error-message")).getText())
        .isEqualTo("flaky: attempt 2 of 3 planned failures");
    WebElement trace = browser.findElement(By.cssSelector("details.stack pre"));
    assertThat(trace.isDisplayed()).isTrue();
    assertThat(trace.getText())
        .startsWith("java.lang.IllegalStateException: flaky: attempt 2 of 3 planned failures")
        .contains("at dev.offload.demo.DemoTasks");
    List<WebElement> attempts =
        browser.findElements(By.cssSelector("section[aria-labelledby='attempts-h'] tbody tr"));
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).getText())
        .contains("failed: flaky: attempt 1 of 3 planned failures");
    assertThat(browser.findElements(By.cssSelector(".timeline li"))).hasSize(5);

    // Retry: two more attempts are allowed; the third fails, the fourth succeeds, live.
    browser.findElement(By.cssSelector("button[data-action='retry']")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "succeeded"));
    assertThat(http.state(id)).isEqualTo("succeeded");
    assertThat(browser.findElement(By.id("job-result")).getText()).contains("\"attempt\": 4");

    // Delete asks first; keeping it changes nothing.
    browser.findElement(By.cssSelector("button[data-action='delete']")).click();
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    dialog.findElement(By.cssSelector("button[value='cancel']")).click();
    assertThat(http.state(id)).isEqualTo("succeeded");
    browser.findElement(By.cssSelector("button[data-action='delete']")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")))
        .findElement(By.id("confirm-ok"))
        .click();
    wait.until(ExpectedConditions.urlMatches("#/jobs$"));
    assertThat(http.get("/jobs/" + id).statusCode()).isEqualTo(404);
  }

  @Test
  void aRunningJobIsCancelledFromItsPageAndShowsProgress() {
    String id = http.submit("{\"task\":\"spin\",\"input\":{\"ms\":60000}}");
    open("#/jobs/" + id);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "running"));
    assertThat(browser.findElement(By.cssSelector(".progress-area label")).getText())
        .isEqualTo("Progress");
    browser.findElement(By.cssSelector("button[data-action='cancel']")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "cancelled"));
    assertThat(http.state(id)).isEqualTo("cancelled");
    assertThat(browser.findElements(By.cssSelector("button[data-action='cancel']"))).isEmpty();
    assertThat(browser.findElements(By.cssSelector("button[data-action='retry']"))).hasSize(1);
  }

  @Test
  void filtersAndPagingDriveTheList() {
    for (int i = 0; i < 5; i++) {
      http.submit(
          "{\"task\":\"sha256\",\"queue\":\"paging\",\"input\":{\"text\":\"x\",\"rounds\":1}}");
    }
    open("#/jobs");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("f-limit")))
        .selectByValue("20");
    browser.findElement(By.id("f-queue")).sendKeys("paging");
    browser.findElement(By.cssSelector("form.filters button[type='submit']")).click();
    wait.until(ExpectedConditions.urlContains("queue=paging"));
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-job-id]"), 5));

    browser.get(demo.url() + "/#/jobs?queue=paging&limit=2");
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-job-id]"), 2));
    String firstPage = ids();
    browser.findElement(By.cssSelector("a[rel='next']")).click();
    wait.until(ExpectedConditions.urlContains("cursor="));
    wait.until(d -> !ids().equals(firstPage) && ids().split(",").length == 2);
    assertThat(ids()).doesNotContain(firstPage.split(",")[0]);
  }

  @Test
  void thePageIsAccessibleAndFitsAPhone() {
    open("#/jobs");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("jobs-summary"), "job"));
    // Landmarks, one h1, labelled form controls, real buttons.
    for (String landmark : List.of("header", "nav", "main", "footer")) {
      assertThat(browser.findElements(By.tagName(landmark))).as(landmark).isNotEmpty();
    }
    assertThat(browser.findElements(By.tagName("h1"))).hasSize(1);
    for (WebElement control : browser.findElements(By.cssSelector("main select, main input"))) {
      assertThat(control.getAccessibleName()).as(control.getAttribute("id")).isNotBlank();
    }
    for (WebElement button : browser.findElements(By.cssSelector("button"))) {
      if (button.isDisplayed()) {
        assertThat(button.getAccessibleName()).isNotBlank();
      }
    }
    assertThat(browser.findElements(By.cssSelector("[onclick], div[role='button']"))).isEmpty();
    assertThat(browser.findElement(By.id("toast")).getAttribute("aria-live")).isEqualTo("polite");
    assertThat(browser.findElement(By.cssSelector("a[aria-current='page']")).getText())
        .isEqualTo("Jobs");

    browser.manage().window().setSize(new Dimension(390, 844));
    for (String page : List.of("#/", "#/jobs")) {
      open(page);
      wait.until(
          ExpectedConditions.presenceOfElementLocated(
              By.cssSelector("main .panel, main table, main .empty")));
      Number overflow =
          (Number)
              browser.executeScript(
                  "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
      assertThat(overflow.intValue()).as("horizontal overflow on " + page).isLessThanOrEqualTo(0);
    }
  }

  private String ids() {
    return browser.findElements(By.cssSelector("tr[data-job-id]")).stream()
        .map(e -> e.getAttribute("data-job-id"))
        .collect(Collectors.joining(","));
  }
}
