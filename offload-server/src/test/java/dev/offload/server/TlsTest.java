package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Offload;
import dev.offload.client.OffloadClient;
import java.io.Writer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-cert} / {@code --tls-key}: HTTPS with PEM files, here a certificate made here. */
class TlsTest {
  @TempDir Path dir;

  record Made(Path cert, Path key, X509Certificate certificate) {}

  /** A self-signed certificate for localhost and 127.0.0.1, as PEM files. */
  static Made selfSigned(Path dir) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair pair = gen.generateKeyPair();
    X500Name name = new X500Name("CN=localhost");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(Duration.ofDays(1))),
            name,
            pair.getPublic());
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
    X509Certificate cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
    Path certFile = dir.resolve("cert.pem");
    Path keyFile = dir.resolve("key.pem");
    try (Writer w = Files.newBufferedWriter(certFile);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(cert);
    }
    try (Writer w = Files.newBufferedWriter(keyFile);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(new JcaPKCS8Generator(pair.getPrivate(), null).generate());
    }
    return new Made(certFile, keyFile, cert);
  }

  static SSLContext trusting(X509Certificate cert) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("test", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(store);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  @Test
  void servesHttpsWithPemFiles() throws Exception {
    Made made = selfSigned(dir);
    String token = "tls-test-token-0123456789";
    try (Offload offload = Offload.builder().tasks(TestTasks.registry()).threads(1).build()) {
      OffloadServer server =
          OffloadServer.builder(offload)
              .port(0)
              .tls(made.cert(), made.key())
              .tokens(ApiTokens.parse("read,submit " + token, "test"))
              .build()
              .start();
      try {
        assertThat(server.url()).startsWith("https://127.0.0.1:");
        SSLContext ssl = trusting(made.certificate());
        try (HttpClient http = HttpClient.newBuilder().sslContext(ssl).build()) {
          HttpResponse<String> live =
              http.send(
                  HttpRequest.newBuilder(URI.create(server.url() + "/health/live")).build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(live.statusCode()).isEqualTo(200);
        }
        try (OffloadClient client =
            OffloadClient.builder(server.url()).sslContext(ssl).token(token).build()) {
          assertThat(client.run("spin", Map.of("ms", 0)).get("iterations").asLong()).isZero();
        }
        // Plain HTTP to the TLS port gets no answer it could mistake for the API's.
        try (HttpClient plain = HttpClient.newHttpClient()) {
          String url = server.url().replace("https://", "http://") + "/health/live";
          boolean answered;
          try {
            answered =
                plain
                        .send(
                            HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200;
          } catch (java.io.IOException e) {
            answered = false;
          }
          assertThat(answered).isFalse();
        }
      } finally {
        server.stop();
      }
    }
  }
}
