// An analyst's Java client in one file, run by test/jdbc.int-spec.ts with the official ClickHouse JDBC driver:
//   java -cp '.cache/jdbc/libs/*' scripts/jdbc/JdbcCheck.java <jdbc url> <user> <password> <database> <query>
// Connects, prints the database's tables (JDBC metadata) on one line, then the query's rows, one per line,
// columns separated by tabs. Exits 1 with the driver's message on any error.
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

public class JdbcCheck {
  public static void main(String[] args) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("user", args[1]);
    properties.setProperty("password", args[2]);
    // The driver itself: DriverManager does not see drivers on the class path of a source-file program.
    try (Connection connection = new com.clickhouse.jdbc.Driver().connect(args[0], properties)) {
      DatabaseMetaData meta = connection.getMetaData();
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = meta.getTables(null, args[3], "%", null)) {
        while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
      }
      System.out.println("tables\t" + String.join(",", tables));
      try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(args[4])) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder line = new StringBuilder();
          for (int i = 1; i <= columns; i++) line.append(i > 1 ? "\t" : "").append(rs.getString(i));
          System.out.println(line);
        }
      }
    } catch (Exception e) {
      System.err.println(e);
      System.exit(1);
    }
  }
}
