package dev.offload.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import dev.offload.server.ApiTokens;
import dev.offload.server.OffloadServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Wait;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium signing in to a server with API tokens, then cancelling a job from the page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardSignInBrowserTest {
  static final String ADMIN = "browser-admin-token-0123456789";
  private Offload offload;
  private OffloadServer server;
  private ChromeDriver browser;
  private Wait<WebDriver> wait;

  @BeforeAll
  void start() {
    browser = Browser.start(1280, 900);
    offload = Offload.builder().tasks(DemoTasks.registry()).threads(2).build();
    server =
        OffloadServer.builder(offload)
            .port(0)
            .discoverExtensions(false)
            .addExtension(new DashboardExtension())
            .tokens(ApiTokens.parse("read,submit,admin " + ApiTokens.hashed(ADMIN), "test"))
            .build()
            .start();
    wait =
        new WebDriverWait(browser, Duration.ofSeconds(15))
            .ignoring(StaleElementReferenceException.class);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.stop();
      offload.close();
    }
  }

  private String submitDelayed() throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(server.url() + "/jobs"))
                      .header("Content-Type", "application/json")
                      .header("Authorization", "Bearer " + ADMIN)
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"task\":\"spin\",\"input\":{\"ms\":1},\"delay\":\"PT1H\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(body);
      assertThat(m.find()).as(body).isTrue();
      return m.group(1);
    }
  }

  @Test
  void signsInWithATokenAndActsWithItsSession() throws Exception {
    browser.get(server.url() + "/");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-in")));
    browser.findElement(By.id("token")).sendKeys("not-the-token-0000000000");
    browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-error"), "not a valid"));

    browser.findElement(By.id("token")).clear();
    browser.findElement(By.id("token")).sendKeys(ADMIN);
    browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.cssSelector("main h1"), "Overview"));
    Cookie session = browser.manage().getCookieNamed("offload_session");
    assertThat(session).isNotNull();
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");

    String id = submitDelayed();
    browser.get(server.url() + "/#/jobs/" + id);
    wait.until(
            ExpectedConditions.elementToBeClickable(By.cssSelector("button[data-action='cancel']")))
        .click();
    wait.until(
        d -> offload.job(dev.offload.JobId.parse(id)).state().wireName().equals("cancelled"));
  }
}
