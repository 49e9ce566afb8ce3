package dev.offload.dashboard;

import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Looks at a running dashboard by hand: {@code Snap URL FILE.png [WIDTH HEIGHT WAIT_MS]} takes a
 * screenshot after the wait and prints the page's console messages.
 */
final class Snap {
  private Snap() {}

  public static void main(String[] args) throws Exception {
    int width = args.length > 2 ? Integer.parseInt(args[2]) : 1280;
    int height = args.length > 3 ? Integer.parseInt(args[3]) : 900;
    long waitMs = args.length > 4 ? Long.parseLong(args[4]) : 2000;
    ChromeDriver browser = Browser.start(width, height);
    try {
      browser.get(args[0]);
      Thread.sleep(waitMs);
      Files.write(Path.of(args[1]), browser.getScreenshotAs(OutputType.BYTES));
      for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
        System.out.println(e.getLevel() + " " + e.getMessage());
      }
    } finally {
      browser.quit();
    }
  }
}
