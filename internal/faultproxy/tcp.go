// Package faultproxy puts a fault the test controls between tilefunc and a
// real service on loopback: a TCP proxy (PostgreSQL) that can reset every
// connection, refuse new ones and delay bytes, and an HTTP proxy (Azurite)
// that can answer an error status, stall or reset instead of the store.
package faultproxy

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TCP forwards connections on Addr to an upstream address.
type TCP struct {
	Addr     string // host:port to dial instead of the upstream
	upstream string

	mu      sync.Mutex
	ln      net.Listener // nil while down
	conns   map[net.Conn]struct{}
	latency time.Duration

	accepted atomic.Int64
	resets   atomic.Int64
	wg       sync.WaitGroup
}

// NewTCP listens on a free loopback port and forwards to upstream until
// the test ends.
func NewTCP(t testing.TB, upstream string) *TCP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &TCP{Addr: ln.Addr().String(), upstream: upstream, conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(func() {
		p.Down()
		p.wg.Wait()
	})
	return p
}

func (p *TCP) serve(ln net.Listener) {
	p.ln = ln
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.accepted.Add(1)
			p.wg.Add(1)
			go p.forward(c)
		}
	}()
}

// forward copies both ways until either side closes or Cut resets both.
func (p *TCP) forward(down net.Conn) {
	defer p.wg.Done()
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		down.Close()
		return
	}
	if !p.track(down, up) {
		return
	}
	defer p.untrack(down, up)
	done := make(chan struct{}, 2)
	go func() { p.copy(up, down); done <- struct{}{} }()
	go func() { p.copy(down, up); done <- struct{}{} }()
	<-done // one side ended: end the other, as a proxy would
	down.Close()
	up.Close()
	<-done
}

// copy forwards src to dst, each chunk after the current latency.
func (p *TCP) copy(dst, src net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			d := p.latency
			p.mu.Unlock()
			time.Sleep(d)
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				return
			}
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			return
		}
	}
}

// track registers a pair, or resets it when the proxy went down meanwhile.
func (p *TCP) track(down, up net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		reset(down)
		reset(up)
		return false
	}
	p.conns[down], p.conns[up] = struct{}{}, struct{}{}
	return true
}

func (p *TCP) untrack(down, up net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, down)
	delete(p.conns, up)
}

// reset closes c with an RST, as a crashed server or a dropped route does,
// rather than an orderly FIN.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// Cut resets every open connection (both sides) and returns how many
// client connections it cut. New connections are still accepted.
func (p *TCP) Cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		reset(c)
	}
	n := len(p.conns) / 2
	p.resets.Add(int64(n))
	return n
}

// Down cuts every connection and stops listening: new connections are
// refused (ECONNREFUSED) until Up, as while a server restarts.
func (p *TCP) Down() int {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.mu.Unlock()
	return p.Cut()
}

// Up listens again on the same address.
func (p *TCP) Up(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		return
	}
	ln, err := net.Listen("tcp", p.Addr)
	if err != nil {
		t.Fatalf("faultproxy: listen again on %s: %v", p.Addr, err)
	}
	p.serve(ln)
}

// SetLatency delays every chunk forwarded either way by d (0: none).
func (p *TCP) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// Open is the number of client connections open now.
func (p *TCP) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns) / 2
}

// Accepted counts the client connections accepted so far.
func (p *TCP) Accepted() int64 { return p.accepted.Load() }
