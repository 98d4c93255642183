// Package proxytest gives tests a TCP proxy in front of a server (PostgreSQL, NATS) whose
// connections the test can cut and refuse for a while, to see what a client does when its
// connection drops and comes back.
//
//	p := proxytest.New(t, "127.0.0.1:4222")
//	client := connect("nats://" + p.Addr())
//	p.Cut()     // closes every connection and refuses new ones
//	p.Restore() // accepts connections again
//	p.Freeze()  // drops every byte, closing nothing: a firewall that lost the connections' state
package proxytest

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards the connections it accepts on Addr to the target. It closes with the test.
type Proxy struct {
	target string
	ln     net.Listener

	mu     sync.Mutex
	cut    bool
	frozen bool
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

// New starts a proxy to target on a free port of 127.0.0.1.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxytest: listen: %v", err)
	}
	p := &Proxy{target: target, ln: ln, conns: map[net.Conn]bool{}}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every forwarded connection and refuses (closes at once) new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
}

// Freeze drops every byte in both directions, on the connections open and on new ones, but
// closes nothing, until Restore: the clients see silence, not a closed connection.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

// Restore forwards new connections again. After Freeze it closes the connections that were open
// (their bytes were lost), as a firewall answers a stale connection with a reset.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.frozen {
		for c := range p.conns {
			c.Close()
		}
	}
	p.cut, p.frozen = false, false
}

func (p *Proxy) isFrozen() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frozen
}

func (p *Proxy) close() {
	p.ln.Close()
	p.Cut()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refused := p.cut
		p.mu.Unlock()
		if refused {
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		if !p.track(in, out) {
			continue
		}
		p.wg.Go(func() { p.pipe(in, out) })
		p.wg.Go(func() { p.pipe(out, in) })
	}
}

// track registers a forwarded pair, or closes it when the proxy was cut meanwhile.
func (p *Proxy) track(in, out net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		in.Close()
		out.Close()
		return false
	}
	p.conns[in], p.conns[out] = true, true
	return true
}

func (p *Proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.isFrozen() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}
