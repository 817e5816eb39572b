package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/user"
)

// cmdUser runs "ballast user add|token ...".
func cmdUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return errors.New("user: want \"add\" or \"token\"; run \"ballast help\"")
	}
	switch args[0] {
	case "add":
		return cmdUserAdd(ctx, e, args[1:])
	case "token":
		return cmdUserToken(ctx, e, args[1:])
	}
	return fmt.Errorf("user: unknown subcommand %q (want add or token)", args[0])
}

// cmdUserAdd creates a user; the password is the first line of stdin.
func cmdUserAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("user add", e)
	name := fs.String("name", "", "user name (required)")
	roleList := fs.String("role", "", "comma-separated roles: pm, trader, compliance, admin (required)")
	dbPath := dbFlag(fs, e)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("user add", err)
	}
	if len(pos) > 0 {
		return fmt.Errorf("user add: unexpected arguments %q", pos)
	}
	if strings.TrimSpace(*name) == "" {
		return errors.New("user add: --name is required")
	}
	roles, err := user.ParseRoles(*roleList)
	if err != nil {
		return fmt.Errorf("user add: --role: %w", err)
	}
	pw, err := readPassword(e.stdin)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	if err := user.ValidatePassword(pw); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	hash, err := user.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	d, err := db.Open(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	defer d.Close()
	u, err := d.CreateUser(ctx, user.User{Name: *name, Roles: roles, PasswordHash: hash})
	if errors.Is(err, db.ErrConflict) {
		return fmt.Errorf("user add: a user called %q already exists", *name)
	}
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	_, err = fmt.Fprintf(e.stdout, "created user %s (id %d, roles %s)\n", u.Name, u.ID, joinRoles(u.Roles))
	return err
}

// cmdUserToken creates an API token for a user and prints it; only its hash is stored.
func cmdUserToken(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("user token", e)
	name := fs.String("name", "", "user name (required)")
	label := fs.String("label", "cli", "what the token is for")
	dbPath := dbFlag(fs, e)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("user token", err)
	}
	if len(pos) > 0 {
		return fmt.Errorf("user token: unexpected arguments %q", pos)
	}
	if strings.TrimSpace(*name) == "" {
		return errors.New("user token: --name is required")
	}
	d, err := db.Open(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("user token: %w", err)
	}
	defer d.Close()
	u, err := d.UserByName(ctx, *name)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("user token: no user called %q", *name)
	}
	if err != nil {
		return fmt.Errorf("user token: %w", err)
	}
	plain, hash, err := user.NewToken()
	if err != nil {
		return fmt.Errorf("user token: %w", err)
	}
	if err := d.AddAPIToken(ctx, u.ID, hash, *label); err != nil {
		return fmt.Errorf("user token: %w", err)
	}
	_, err = fmt.Fprintln(e.stdout, plain)
	return err
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on stdin (pipe it in, e.g. printf '%s\\n' \"$PW\" | ballast user add ...)")
	}
	return line, nil
}

func joinRoles(roles []user.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}
