package web

import (
	"context"
	"net/http"
)

// LoadedSession is a request's session as the session store found it when
// the request began. A store that keeps it (through scs.CtxStore's FindCtx)
// can tell, when the request commits, whether the request changed the
// session or only renewed its idle deadline, and then write only the
// deadline: a live refresh that loaded the session before another request
// left a message in it must not write the old session back over it.
type LoadedSession struct {
	Token string // the token it was loaded under
	Data  []byte
	Found bool
}

type loadedSessionKey struct{}

// WithLoadedSession returns ctx with an empty LoadedSession for the store to fill.
func WithLoadedSession(ctx context.Context) context.Context {
	return context.WithValue(ctx, loadedSessionKey{}, &LoadedSession{})
}

// LoadedSessionFrom returns the request's LoadedSession, or nil when the
// request has none.
func LoadedSessionFrom(ctx context.Context) *LoadedSession {
	l, _ := ctx.Value(loadedSessionKey{}).(*LoadedSession)
	return l
}

// keepLoadedSession gives each request a LoadedSession; it runs before the
// session manager loads the session.
func keepLoadedSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithLoadedSession(r.Context())))
	})
}
