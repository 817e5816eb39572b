package db

import (
	"context"
	"errors"
	"testing"

	"github.com/ballast-oms/ballast/user"
)

func TestUsersAndTokens(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	u, err := d.CreateUser(ctx, user.User{Name: "ana", Roles: []user.Role{user.Admin, user.PM}, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Errorf("CreateUser returned %+v", u)
	}
	if _, err := d.CreateUser(ctx, user.User{Name: "ANA", Roles: []user.Role{user.PM}, PasswordHash: "h"}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate name: err = %v, want ErrConflict", err)
	}
	if _, err := d.CreateUser(ctx, user.User{Name: "bob", PasswordHash: "h"}); err == nil {
		t.Error("user without roles accepted")
	}
	got, err := d.UserByName(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Roles) != 2 || got.Roles[0] != user.PM || got.Roles[1] != user.Admin || !got.Has(user.Admin) {
		t.Errorf("roles = %v, want [pm admin]", got.Roles)
	}
	if byID, err := d.UserByID(ctx, u.ID); err != nil || byID.Name != "ana" {
		t.Errorf("UserByID = %+v, %v", byID, err)
	}
	plain, hash, err := user.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddAPIToken(ctx, u.ID, hash, "cli"); err != nil {
		t.Fatal(err)
	}
	if err := d.AddAPIToken(ctx, u.ID, hash, "again"); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate token: err = %v, want ErrConflict", err)
	}
	byTok, err := d.UserByTokenHash(ctx, user.HashToken(plain))
	if err != nil || byTok.ID != u.ID || len(byTok.Roles) != 2 {
		t.Errorf("UserByTokenHash = %+v, %v", byTok, err)
	}
	mustExec(t, d, `UPDATE users SET disabled = 1 WHERE id = ?`, u.ID)
	if _, err := d.UserByTokenHash(ctx, hash); !errors.Is(err, ErrNotFound) {
		t.Errorf("disabled user's token: err = %v, want ErrNotFound", err)
	}
	if _, err := d.CreateUser(ctx, user.User{Name: "cy", Roles: []user.Role{user.Trader}, PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	all, err := d.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "ana" || !all[0].Disabled || all[1].Roles[0] != user.Trader {
		t.Errorf("Users = %+v", all)
	}
}
