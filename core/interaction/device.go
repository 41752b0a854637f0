package interaction

import (
	"context"
	"errors"
	"math"
	"net/http"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/themes"
)

// DevicePage shows the code entry form of the device flow (RFC 8628 §3.3). A code from verification_uri_complete
// only pre-fills the form: the user still confirms it (§3.3.1), so a link alone never starts an approval.
func (s *Service) DevicePage(_ context.Context, userCode string) *Step {
	return page("device", http.StatusOK, &themes.Page{Action: "/device", UserCode: userCode})
}

// DeviceSubmit takes a user code typed in the browser. Wrong codes are counted per address and per browser
// (RFC 8628 §5.1): past either limit the form answers 429 without looking the code up. A right code starts an
// interaction for its device code, which goes on as an authorization does: login if needed, then consent,
// always asked for a device (RFC 8628 §5.4), then the device_done page.
func (s *Service) DeviceSubmit(ctx context.Context, userCode string, b Browser) (*Step, error) {
	browserKey := oauth.Digest(b.CSRF)
	if wait := max(s.limits.DeviceCodePerIP.Wait(b.Addr), s.limits.DeviceCodePerBrowser.Wait(browserKey)); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		st := page("device", http.StatusTooManyRequests, &themes.Page{Action: "/device",
			UserCode: userCode, RetryAfter: secs, Error: &themes.Error{Code: "temporarily_unavailable",
				Key: themes.MsgDeviceRateLimited}})
		st.RetryAfter = secs
		return st, nil
	}
	ix, err := s.oauth.StartDeviceVerification(ctx, userCode, b.CSRF)
	if errors.Is(err, oauth.ErrUnknownUserCode) {
		s.limits.DeviceCodePerIP.Spend(b.Addr)
		s.limits.DeviceCodePerBrowser.Spend(browserKey)
		s.log.Info("wrong user code", "ip", b.Addr)
		return page("device", http.StatusBadRequest, &themes.Page{Action: "/device",
			UserCode: userCode, Error: &themes.Error{Code: "invalid_request", Key: themes.MsgDeviceBadCode}}), nil
	}
	if err != nil {
		return nil, err
	}
	return s.advance(ctx, ix, b, false)
}

// deviceDone is the end of a device verification: approved (the device is now signed in) or denied.
func deviceDone(step *oauth.Step) *Step {
	return page("device_done", http.StatusOK, &themes.Page{Client: PageClient(step.Client), Approved: step.Approved})
}
