package user

import "testing"

func TestParseRoles(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"pm", 1, false},
		{"pm, trader,PM", 2, false},
		{"pm,boss", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseRoles(tt.in)
		if (err != nil) != tt.wantErr || len(got) != tt.want {
			t.Errorf("ParseRoles(%q) = %v, %v; want %d roles, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword("correct horse battery", h) {
		t.Error("right password refused")
	}
	if CheckPassword("correct horse batterx", h) {
		t.Error("wrong password accepted")
	}
	if CheckPassword("x", "not-a-hash") {
		t.Error("garbage hash accepted")
	}
}

func TestValidatePassword(t *testing.T) {
	if err := ValidatePassword("short"); err == nil {
		t.Error("short password accepted")
	}
	if err := ValidatePassword("long enough password"); err != nil {
		t.Error(err)
	}
	if err := ValidatePassword(string([]byte{0xff, 0xfe, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'})); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
}

func TestTokens(t *testing.T) {
	p1, h1, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	p2, _, _ := NewToken()
	if p1 == p2 {
		t.Error("two tokens are equal")
	}
	if HashToken(p1) != h1 || h1 == p1 {
		t.Error("token hash does not round-trip or equals the token")
	}
}
