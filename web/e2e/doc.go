// Package e2e holds the browser tests of the web app: they start
// "posterity serve" and drive the page in headless Chromium with chromedp.
// They are built only with the e2e tag ("make test-e2e"):
//
//	make test-e2e
//	go test -tags e2e -count=1 ./web/e2e/   # after "make static"
//
// Environment: POSTERITY_BIN (the posterity binary; built into a temporary
// folder when unset), POSTERITY_STATIC (the folder served, default the
// repository's static/), POSTERITY_SHARED (default ../shared beside the
// repository; the posters come from its data/posters/images), and
// POSTERITY_CHROMIUM (default /usr/bin/chromium). With -screenshots, the
// tests also rewrite docs/screenshot-desktop.png and docs/screenshot-phone.png.
package e2e
