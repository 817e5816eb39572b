package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ballast-oms/ballast/user"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const userColumns = `id, name, password_hash, disabled, created_at`

// CreateUser stores a new user with its roles and returns it with its ID and
// creation time. A taken name (compared ignoring case) wraps ErrConflict.
func (d *DB) CreateUser(ctx context.Context, u user.User) (user.User, error) {
	u.Name = strings.TrimSpace(u.Name)
	if err := validateUser(u); err != nil {
		return u, fmt.Errorf("db: create user %q: %w", u.Name, err)
	}
	u.CreatedAt = d.now().UTC()
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (name, password_hash, disabled, created_at)
			VALUES (?, ?, ?, ?)`, u.Name, u.PasswordHash, u.Disabled, formatTime(u.CreatedAt))
		if err != nil {
			return err
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return insertRoles(ctx, tx, u.ID, u.Roles)
	})
	if isUniqueViolation(err) {
		return u, fmt.Errorf("db: create user %q: name taken: %w", u.Name, ErrConflict)
	}
	if err != nil {
		return u, fmt.Errorf("db: create user %q: %w", u.Name, err)
	}
	return u, nil
}

func validateUser(u user.User) error {
	switch {
	case u.Name == "":
		return errors.New("name is empty")
	case u.PasswordHash == "":
		return errors.New("password hash is empty")
	case len(u.Roles) == 0:
		return errors.New("no role given")
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			return fmt.Errorf("role %q is not known", r)
		}
	}
	return nil
}

func insertRoles(ctx context.Context, tx *sql.Tx, id int64, roles []user.Role) error {
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?, ?)`, id, string(r)); err != nil {
			return err
		}
	}
	return nil
}

// UserByName returns the user called name (ignoring case), or an error wrapping ErrNotFound.
func (d *DB) UserByName(ctx context.Context, name string) (user.User, error) {
	return d.oneUser(ctx, "name "+name, `SELECT `+userColumns+` FROM users WHERE name = ?`, strings.TrimSpace(name))
}

// UserByID returns the user with id, or an error wrapping ErrNotFound.
func (d *DB) UserByID(ctx context.Context, id int64) (user.User, error) {
	return d.oneUser(ctx, fmt.Sprintf("id %d", id), `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
}

// UserByTokenHash returns the enabled user owning the API token with this hash
// (see user.HashToken), or an error wrapping ErrNotFound. A disabled user's
// tokens are not found.
func (d *DB) UserByTokenHash(ctx context.Context, tokenHash string) (user.User, error) {
	return d.oneUser(ctx, "by token", `SELECT u.id, u.name, u.password_hash, u.disabled, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND u.disabled = 0`, tokenHash)
}

// Users lists every user ordered by name, each with its roles.
func (d *DB) Users(ctx context.Context) ([]user.User, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("db: users: %w", err)
	}
	defer rows.Close()
	var out []user.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("db: users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: users: %w", err)
	}
	roles, err := d.roles(ctx, `SELECT user_id, role FROM user_roles`)
	if err != nil {
		return nil, fmt.Errorf("db: users: %w", err)
	}
	for i := range out {
		out[i].Roles = roles[out[i].ID]
	}
	return out, nil
}

// AddAPIToken records an API token's hash for a user. An unknown user wraps
// ErrNotFound; a hash already stored wraps ErrConflict.
func (d *DB) AddAPIToken(ctx context.Context, userID int64, tokenHash, label string) error {
	if tokenHash == "" {
		return fmt.Errorf("db: add api token for user %d: empty hash", userID)
	}
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, userID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("user %d: %w", userID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, hash, label, created_at) VALUES (?, ?, ?, ?)`,
			userID, tokenHash, label, formatTime(d.now()))
		return err
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("db: add api token for user %d: %w", userID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("db: add api token for user %d: %w", userID, err)
	}
	return nil
}

func (d *DB) oneUser(ctx context.Context, what, q string, arg any) (user.User, error) {
	u, err := scanUser(d.reader.QueryRowContext(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("db: user %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("db: user %s: %w", what, err)
	}
	roles, err := d.roles(ctx, `SELECT user_id, role FROM user_roles WHERE user_id = ?`, u.ID)
	if err != nil {
		return u, fmt.Errorf("db: user %s: %w", what, err)
	}
	u.Roles = roles[u.ID]
	return u, nil
}

// roles reads user_id → roles, each list in the display order of user.Roles.
func (d *DB) roles(ctx context.Context, q string, args ...any) (map[int64][]user.Role, error) {
	rows, err := d.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]user.Role{}
	for rows.Next() {
		var id int64
		var r string
		if err := rows.Scan(&id, &r); err != nil {
			return nil, err
		}
		out[id] = append(out[id], user.Role(r))
	}
	for _, rs := range out {
		sort.Slice(rs, func(i, j int) bool { return roleRank(rs[i]) < roleRank(rs[j]) })
	}
	return out, rows.Err()
}

func roleRank(r user.Role) int {
	for i, k := range user.Roles {
		if k == r {
			return i
		}
	}
	return len(user.Roles)
}

func scanUser(r scanner) (user.User, error) {
	var u user.User
	var created string
	if err := r.Scan(&u.ID, &u.Name, &u.PasswordHash, &u.Disabled, &created); err != nil {
		return u, err
	}
	var err error
	u.CreatedAt, err = parseTime(created)
	return u, err
}

// isUniqueViolation reports whether err is SQLite refusing a duplicate key.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
