package fixclient

import (
	"database/sql"
	"fmt"
	"strings"

	_ "modernc.org/sqlite" // the SQLite driver quickfixgo's SQL store opens as "sqlite"
)

// sqlStorePragmas keep two sessions on one SQLite file from failing with
// SQLITE_BUSY and losing their logon.
const sqlStorePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"

// sqliteDSN is the data source name for quickfixgo's SQL store on path.
func sqliteDSN(path string) string {
	if strings.Contains(path, "busy_timeout") {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	if !strings.HasPrefix(path, "file:") {
		path = "file:" + path
	}
	return path + sep + sqlStorePragmas
}

// The SQL store's tables. They carry a fix_ prefix so the store can share
// Ballast's SQLite file: "sessions" is already the web sessions' table.
const (
	sqlMessagesTable = "fix_messages"
	sqlSessionsTable = "fix_sessions"
)

// sqlStoreDDL is quickfixgo's _sql/sqlite3 schema for the message store,
// made idempotent and renamed: the store expects its tables to exist.
var sqlStoreDDL = []string{
	`CREATE TABLE IF NOT EXISTS fix_messages (
  beginstring CHAR(8) NOT NULL,
  sendercompid VARCHAR(64) NOT NULL,
  sendersubid VARCHAR(64) NOT NULL,
  senderlocid VARCHAR(64) NOT NULL,
  targetcompid VARCHAR(64) NOT NULL,
  targetsubid VARCHAR(64) NOT NULL,
  targetlocid VARCHAR(64) NOT NULL,
  session_qualifier VARCHAR(64) NOT NULL,
  msgseqnum INT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (beginstring, sendercompid, sendersubid, senderlocid,
    targetcompid, targetsubid, targetlocid, session_qualifier, msgseqnum))`,
	`CREATE TABLE IF NOT EXISTS fix_sessions (
  beginstring CHAR(8) NOT NULL,
  sendercompid VARCHAR(64) NOT NULL,
  sendersubid VARCHAR(64) NOT NULL,
  senderlocid VARCHAR(64) NOT NULL,
  targetcompid VARCHAR(64) NOT NULL,
  targetsubid VARCHAR(64) NOT NULL,
  targetlocid VARCHAR(64) NOT NULL,
  session_qualifier VARCHAR(64) NOT NULL,
  creation_time DATETIME NOT NULL,
  incoming_seqnum INT NOT NULL,
  outgoing_seqnum INT NOT NULL,
  PRIMARY KEY (beginstring, sendercompid, sendersubid, senderlocid,
    targetcompid, targetsubid, targetlocid, session_qualifier))`,
}

// prepareSQLStore creates the message store tables in the SQLite file.
func prepareSQLStore(dsn string) error {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("fixclient: open SQL store: %w", err)
	}
	defer db.Close()
	for _, stmt := range sqlStoreDDL {
		if _, err := db.Exec(stmt); err != nil {
			return fmt.Errorf("fixclient: create SQL store tables: %w", err)
		}
	}
	return nil
}
