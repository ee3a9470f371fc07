package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// Discover finds the homeserver named by input: a server name
// ("example.org", "example.org:8448"), a user id ("@alice:example.org") or a
// URL. It runs the spec's client discovery (/.well-known/matrix/client),
// then at once /versions, GET /login and the auth metadata chain, and
// decides what a login screen shows. Results are cached per server name
// (see Client.CacheTTL).
func (c *Client) Discover(ctx context.Context, input string) (*ServerInfo, error) {
	t, err := parseInput(input)
	if err != nil {
		return nil, err
	}
	c.init()
	return c.disco.get(ctx, c, t)
}

// discovery is one run of the network part of Discover.
type discovery struct {
	c  *Client
	t  target
	mu sync.Mutex
	// steps in the order they finished
	steps []Step
	// maxAge is the smallest Cache-Control max-age seen (-1: none seen);
	// swr likewise for stale-while-revalidate; noStore if any answer said so.
	maxAge, swr time.Duration
	noStore     bool
}

type stepTraceKey struct{}

// WithStepTrace returns a context under which every discovery request is
// reported to fn as soon as it finishes, for progress displays (the demo's
// live step list). A step whose 200 answer then fails validation is
// reported a second time, under the same Name, with its final result.
// fn is called from the discovery's goroutines; a cached answer reports
// nothing.
func WithStepTrace(ctx context.Context, fn func(Step)) context.Context {
	return context.WithValue(ctx, stepTraceKey{}, fn)
}

func traceStep(ctx context.Context, st Step) {
	if fn, ok := ctx.Value(stepTraceKey{}).(func(Step)); ok && fn != nil {
		fn(st)
	}
}

// fetch makes one discovery request and records it as a step.
func (d *discovery) fetch(ctx context.Context, name, u string, limit int64) (*Response, error) {
	start := d.c.now()
	resp, err := d.c.Do(ctx, Request{Op: name, URL: u, Limit: limit, Insecure: d.t.insecure})
	st := Step{Name: name, URL: u, Duration: d.c.now().Sub(start)}
	if err != nil {
		st.Result = StepResult(autherr.CodeOf(err))
		st.Error = err.Error()
		var ae *autherr.Error
		if errors.As(err, &ae) {
			st.Status = ae.Status
		}
	} else {
		st.Status = resp.Status
		st.CORS = resp.Header("Access-Control-Allow-Origin") != ""
		switch {
		case resp.Status == statusOK:
			st.Result = StepOK
			d.noteCache(resp.Header("Cache-Control"))
		case resp.Status == statusNotFound || resp.Status == statusMethodNotAllowed:
			st.Result = StepAbsent
		default:
			st.Result = StepResult(fmt.Sprintf("HTTP %d", resp.Status))
		}
	}
	d.mu.Lock()
	d.steps = append(d.steps, st)
	d.mu.Unlock()
	traceStep(ctx, st)
	return resp, err
}

// setStepResult overrides the result of the last step called name, for
// answers that were 200 but did not validate.
func (d *discovery) setStepResult(ctx context.Context, name string, err error) {
	d.mu.Lock()
	var st *Step
	for i := len(d.steps) - 1; i >= 0; i-- {
		if d.steps[i].Name == name {
			d.steps[i].Result = StepResult(autherr.CodeOf(err))
			d.steps[i].Error = err.Error()
			st = &d.steps[i]
			break
		}
	}
	var copied Step
	if st != nil {
		copied = *st
	}
	d.mu.Unlock()
	if st != nil {
		traceStep(ctx, copied)
	}
}

func (d *discovery) noteCache(cc string) {
	maxAge, swr, noStore := parseCacheControl(cc)
	d.mu.Lock()
	defer d.mu.Unlock()
	if noStore {
		d.noStore = true
	}
	if maxAge >= 0 && (d.maxAge < 0 || maxAge < d.maxAge) {
		d.maxAge = maxAge
	}
	if swr >= 0 && (d.swr < 0 || swr < d.swr) {
		d.swr = swr
	}
}

// run does the whole network part of a discovery. On failure it still
// returns what it learned (at least the steps) beside the error, for Check.
func (d *discovery) run(ctx context.Context) (*ServerInfo, error) {
	d.maxAge, d.swr = -1, -1
	info := &ServerInfo{ServerName: d.t.serverName, BaseURL: d.t.fallbackBase, Insecure: d.t.insecure, UnstableFeatures: map[string]bool{}}
	wk, versionsDone, err := d.chooseBase(ctx, info)
	if err != nil {
		info.Steps = d.steps
		return info, err
	}
	base := info.BaseURL
	if wk != nil {
		base = wk.BaseURL
		info.BaseURL = base
		info.IdentityServer = wk.IdentityServer
	}

	// /versions, GET /login and the metadata chain run side by side: a cold
	// discovery costs the well-known plus the longest of the three.
	var wg sync.WaitGroup
	var versionsErr, metaErr error
	wg.Add(3)
	go func() {
		defer wg.Done()
		if !versionsDone {
			versionsErr = d.versions(ctx, info)
		}
	}()
	go func() {
		defer wg.Done()
		info.Login = d.login(ctx, base)
	}()
	go func() {
		defer wg.Done()
		hint := ""
		if wk != nil {
			hint = wk.IssuerHint
		}
		info.OAuth, metaErr = d.metadata(ctx, base, hint)
	}()
	wg.Wait()
	info.Steps = d.steps
	if versionsErr != nil {
		return info, versionsErr
	}
	if metaErr != nil {
		return info, metaErr
	}
	info.Hints = DecideHints(info)
	return info, nil
}

// chooseBase decides where the client-server API is (target): the typed
// URL with a path as is; a typed bare origin when it answers /versions
// (then versionsDone, with info's Versions filled), else what its
// well-known says; for a server name or user id the well-known (spec
// "Well-known URIs"), whose IGNORE leaves the fallback base. A nil
// well-known with a nil error means info.BaseURL stands.
func (d *discovery) chooseBase(ctx context.Context, info *ServerInfo) (wk *serverrule.WellKnown, versionsDone bool, err error) {
	if d.t.wellKnownURL == "" {
		return nil, false, nil
	}
	if d.t.originFirst {
		verr := d.versions(ctx, info)
		if verr == nil || autherr.CodeOf(verr) != autherr.NotAHomeserver {
			// A homeserver here, or one that cannot be asked now (the
			// well-known is on the same origin): either way the answer.
			return nil, verr == nil, verr
		}
		// Not a homeserver at the origin: perhaps its well-known names
		// one (a person typing the address of example.org's website).
		if wk, err = d.wellKnown(ctx); err == nil && wk == nil {
			err = verr
		}
		return wk, false, err
	}
	wk, err = d.wellKnown(ctx)
	info.BaseURL = d.t.fallbackBase // the well-known step may have moved to plain http
	return wk, false, err
}

// Check runs a discovery of input without the cache, for diagnostics pages
// and CLIs: it returns what was learned, always with the Steps made, even
// when it also returns an error (then Hints is empty). A nil ServerInfo
// comes back only for input that is not a server name, user id or URL.
func (c *Client) Check(ctx context.Context, input string) (*ServerInfo, error) {
	t, err := parseInput(input)
	if err != nil {
		return nil, err
	}
	c.init()
	d := &discovery{c: c, t: t}
	return d.run(ctx)
}

// wellKnown runs the spec's well-known step. A nil result with a nil error
// means IGNORE (404): use the fallback base URL.
func (d *discovery) wellKnown(ctx context.Context) (*serverrule.WellKnown, error) {
	const op = "well-known"
	resp, err := d.fetch(ctx, op, d.t.wellKnownURL, limitWellKnown)
	if d.t.local.TryLocal(ctx, err) {
		// Nothing answers https on this loopback host: a development
		// server on plain http at the name's port.
		d.t.wellKnownURL, d.t.fallbackBase = d.t.local.LocalWellKnown, d.t.local.LocalBase
		resp, err = d.fetch(ctx, op, d.t.wellKnownURL, limitWellKnown)
	}
	if err != nil {
		if autherr.CodeOf(err) == autherr.ServerError {
			// Too large: the spec's FAIL_PROMPT.
			return nil, reCode(err, autherr.DiscoveryFailed)
		}
		return nil, err
	}
	switch {
	case resp.Status == statusNotFound:
		return nil, nil
	case resp.Status >= 500:
		return nil, autherr.FromReply(op, autherr.ServerError, resp.Status, resp.Body)
	case resp.Status != statusOK:
		return nil, autherr.FromReply(op, autherr.DiscoveryFailed, resp.Status, resp.Body)
	}
	wk, err := serverrule.ParseWellKnown(resp.Body, d.t.insecure)
	if err != nil {
		d.setStepResult(ctx, op, err)
		return nil, err
	}
	return wk, nil
}

// versions fills Versions and UnstableFeatures. A server that does not answer
// it like a homeserver is not one (spec: FAIL_ERROR); transport, rate-limit
// and 5xx failures keep their own codes.
func (d *discovery) versions(ctx context.Context, info *ServerInfo) error {
	const op = "versions"
	resp, err := d.fetch(ctx, op, info.BaseURL+"/_matrix/client/versions", limitJSON)
	if err != nil {
		return err
	}
	if resp.Status >= 500 {
		return autherr.FromReply(op, autherr.ServerError, resp.Status, resp.Body)
	}
	v, perr := parseVersions(resp.Body)
	if resp.Status != statusOK || perr != nil {
		e := &autherr.Error{Code: autherr.NotAHomeserver, Op: op, Status: resp.Status,
			Err: fmt.Errorf("%s does not answer /_matrix/client/versions like a Matrix homeserver", HostOf(info.BaseURL))}
		if perr != nil && resp.Status == statusOK {
			e.Err = fmt.Errorf("%s: %w", e.Err, errors.Unwrap(perr))
			d.setStepResult(ctx, op, e)
		}
		return e
	}
	info.Versions = v.Versions
	info.UnstableFeatures = v.UnstableFeatures
	return nil
}

// versionsAnswer is the answer of GET /_matrix/client/versions.
type versionsAnswer struct {
	Versions         []string        `json:"versions"`
	UnstableFeatures map[string]bool `json:"unstable_features"`
}

// parseVersions reads a /versions body. versions is required; an
// unstable_features entry whose value is not a boolean is dropped. A
// failure is not_a_homeserver.
func parseVersions(body []byte) (*versionsAnswer, error) {
	const op = "versions"
	var raw struct {
		Versions         *[]string                  `json:"versions"`
		UnstableFeatures map[string]json.RawMessage `json:"unstable_features"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, autherr.New(autherr.NotAHomeserver, op, "malformed versions: %v", err)
	}
	if raw.Versions == nil {
		return nil, autherr.New(autherr.NotAHomeserver, op, "versions is missing")
	}
	v := &versionsAnswer{Versions: *raw.Versions, UnstableFeatures: map[string]bool{}}
	if v.Versions == nil {
		v.Versions = []string{}
	}
	for k, val := range raw.UnstableFeatures {
		var b bool
		if json.Unmarshal(val, &b) == nil {
			v.UnstableFeatures[k] = b
		}
	}
	return v, nil
}

// login reads GET /_matrix/client/v3/login. It never fails the discovery: a
// server without it (or an unreachable one) just has no Login.
func (d *discovery) login(ctx context.Context, base string) *LoginInfo {
	const op = "login"
	resp, err := d.fetch(ctx, op, base+"/_matrix/client/v3/login", limitJSON)
	if err != nil || resp.Status != statusOK {
		return nil
	}
	li, err := parseLoginFlows(resp.Body)
	if err != nil {
		d.setStepResult(ctx, op, err)
		return nil
	}
	return li
}

// parseLoginFlows reads a GET /login body. Flows whose type is not a string
// are skipped; the first m.login.sso flow's identity_providers are kept
// (see parseIdentityProviders). OAuthAwarePreferred is set when an
// m.login.sso flow carries
// oauth_aware_preferred (spec v1.18) or
// org.matrix.msc3824.delegated_oidc_compatibility (MSC3824) as true.
// A failure is server_error.
func parseLoginFlows(body []byte) (*LoginInfo, error) {
	var raw struct {
		Flows []json.RawMessage `json:"flows"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, autherr.New(autherr.ServerError, "login", "malformed login flows: %v", err)
	}
	li := &LoginInfo{Flows: []string{}}
	for _, f := range raw.Flows {
		var flow struct {
			Type     string          `json:"type"`
			Stable   json.RawMessage `json:"oauth_aware_preferred"`
			Unstable json.RawMessage `json:"org.matrix.msc3824.delegated_oidc_compatibility"`
			IdPs     json.RawMessage `json:"identity_providers"`
		}
		if json.Unmarshal(f, &flow) != nil || flow.Type == "" {
			continue
		}
		li.Flows = append(li.Flows, flow.Type)
		if flow.Type == "m.login.sso" && (isTrue(flow.Stable) || isTrue(flow.Unstable)) {
			li.OAuthAwarePreferred = true
		}
		if flow.Type == "m.login.sso" && li.IdentityProviders == nil {
			li.IdentityProviders = parseIdentityProviders(flow.IdPs)
		}
	}
	return li, nil
}

func isTrue(raw json.RawMessage) bool {
	var b bool
	return json.Unmarshal(raw, &b) == nil && b
}

// metadata walks the auth metadata chain: stable auth_metadata, unstable
// auth_metadata, auth_issuer + openid-configuration, then the well-known
// hint. It moves on only when an endpoint is not there; a server that has
// one but answers it wrongly fails the discovery. (nil, nil) means the
// server does not delegate auth.
func (d *discovery) metadata(ctx context.Context, base, hint string) (*OAuthInfo, error) {
	chain := []struct {
		name, path string
		source     MetadataSource
	}{
		{"auth_metadata", "/_matrix/client/v1/auth_metadata", SourceStable},
		{"auth_metadata (unstable)", "/_matrix/client/unstable/org.matrix.msc2965/auth_metadata", SourceUnstable},
	}
	for _, step := range chain {
		resp, err := d.fetch(ctx, step.name, base+step.path, limitJSON)
		if err != nil {
			return nil, err
		}
		if serverrule.Absent(resp.Status, resp.Body) {
			continue
		}
		if resp.Status != statusOK {
			return nil, autherr.FromReply(step.name, autherr.Classify(resp.Status, resp.Body, autherr.MetadataInvalid), resp.Status, resp.Body)
		}
		info, err := parseAuthMetadata(resp.Body, d.t.insecure)
		if err != nil {
			d.setStepResult(ctx, step.name, err)
			return nil, err
		}
		info.Source = step.source
		// The homeserver speaks for the issuer here: hold it to what the
		// issuer says of itself before any secret goes to its endpoints.
		if err := d.bindToIssuer(ctx, info); err != nil {
			return nil, err
		}
		return info, nil
	}

	const op = "auth_issuer"
	resp, err := d.fetch(ctx, op, base+"/_matrix/client/unstable/org.matrix.msc2965/auth_issuer", limitJSON)
	if err != nil {
		return nil, err
	}
	issuer := ""
	switch {
	case serverrule.Absent(resp.Status, resp.Body):
		issuer = hint
	case resp.Status != statusOK:
		return nil, autherr.FromReply(op, autherr.Classify(resp.Status, resp.Body, autherr.MetadataInvalid), resp.Status, resp.Body)
	default:
		var ai struct {
			Issuer string `json:"issuer"`
		}
		if err := json.Unmarshal(resp.Body, &ai); err != nil || ai.Issuer == "" {
			e := MetadataError(op, "issuer", "auth_issuer answer has no issuer string")
			d.setStepResult(ctx, op, e)
			return nil, e
		}
		issuer = ai.Issuer
	}
	if issuer == "" {
		return nil, nil
	}
	return d.issuerMetadata(ctx, issuer)
}

// issuerMetadata fetches the issuer's own metadata and checks that it
// speaks for that issuer (OpenID Connect Discovery §4.3, RFC 8414 §3.3):
// {issuer}/.well-known/openid-configuration, then RFC 8414's
// /.well-known/oauth-authorization-server{path} when the first is absent.
func (d *discovery) issuerMetadata(ctx context.Context, issuer string) (*OAuthInfo, error) {
	const op = "openid-configuration"
	if err := serverrule.CheckURL(issuer, d.t.insecure); err != nil {
		return nil, MetadataError(op, "issuer", "%v", err)
	}
	name, u := op, strings.TrimRight(issuer, "/")+"/.well-known/openid-configuration"
	resp, err := d.fetch(ctx, name, u, limitJSON)
	if err == nil && serverrule.Absent(resp.Status, resp.Body) {
		name = "oauth-authorization-server"
		resp, err = d.fetch(ctx, name, oauthServerMetadataURL(issuer), limitJSON)
	}
	if err != nil {
		return nil, err
	}
	if resp.Status != statusOK {
		return nil, autherr.FromReply(name, autherr.Classify(resp.Status, resp.Body, autherr.MetadataInvalid), resp.Status, resp.Body)
	}
	info, err := parseAuthMetadata(resp.Body, d.t.insecure)
	if err != nil {
		d.setStepResult(ctx, name, err)
		return nil, err
	}
	if info.Issuer != issuer {
		e := MetadataError(name, "issuer", "%q is not the issuer %q the server named", info.Issuer, issuer)
		d.setStepResult(ctx, name, e)
		return nil, e
	}
	info.Source = SourceIssuer
	return info, nil
}

// oauthServerMetadataURL is RFC 8414 §3.1's metadata URL of issuer: the
// well-known segment goes between the host and the issuer's path.
func oauthServerMetadataURL(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil {
		return ""
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	return u.Scheme + "://" + u.Host + "/.well-known/oauth-authorization-server" + path
}

// reCode returns a copy of err with another code.
func reCode(err error, code autherr.Code) error {
	var ae *autherr.Error
	if errors.As(err, &ae) {
		c := *ae
		c.Code = code
		return &c
	}
	return &autherr.Error{Code: code, Err: err}
}
