package server

import (
	"context"
	"errors"
	"sync"
	"time"
)

// MemoryStore is the default Store: sessions in this process's memory. It
// survives reconnects to this process, not a restart and not another
// node (a resume there gets 4504). Safe for concurrent use.
//
// Memory: a session leaves at its end, or expires SessionTTL after its
// last touch (also one whose Server closed while sharing this store with
// others in the process: Server.Close leaves a passed-in store's
// sessions to expire). Expired sessions are dropped at their next access
// and by a sweep every 64 Creates, so a long-lived process holds at most
// the live sessions plus those that expired since the last sweep.
type MemoryStore struct {
	now func() time.Time

	mu       sync.Mutex
	sessions map[string]*memSession
	creates  int

	subsMu sync.Mutex // held while notifying: stop waits for a running fn
	subs   map[*func(string, uint64)]struct{}
}

type memSession struct {
	rec     Record
	frames  []Frame // Acked+1 .. Sent
	expires time.Time
}

// NewMemoryStore returns an empty store whose expiry uses now (nil:
// time.Now).
func NewMemoryStore(now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{now: now, sessions: make(map[string]*memSession)}
}

var errSeqOrder = errors.New("redial/server: frame appended out of seq order")

// get returns the live session or ErrSessionNotFound / ErrSessionMoved.
// Called with mu held.
func (m *MemoryStore) get(id string, epoch uint64) (*memSession, error) {
	ms := m.sessions[id]
	if ms == nil || !m.now().Before(ms.expires) {
		delete(m.sessions, id)
		return nil, ErrSessionNotFound
	}
	if epoch != 0 && epoch != ms.rec.Epoch {
		return nil, ErrSessionMoved
	}
	return ms, nil
}

// Create implements Store. Every 64 creates it also drops expired
// sessions, so abandoned ones do not accumulate.
func (m *MemoryStore) Create(_ context.Context, id, principal string, ttl time.Duration) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if m.creates++; m.creates%64 == 0 {
		for k, ms := range m.sessions {
			if !now.Before(ms.expires) {
				delete(m.sessions, k)
			}
		}
	}
	if _, err := m.get(id, 0); err == nil {
		return 0, errors.New("redial/server: session id collision")
	}
	m.sessions[id] = &memSession{rec: Record{Principal: principal, Epoch: 1}, expires: now.Add(ttl)}
	return 1, nil
}

// Claim implements Store; subscribers of NotifyMoves hear of it.
func (m *MemoryStore) Claim(_ context.Context, id string, ttl time.Duration) (Record, error) {
	m.mu.Lock()
	ms, err := m.get(id, 0)
	if err != nil {
		m.mu.Unlock()
		return Record{}, err
	}
	ms.rec.Epoch++
	ms.expires = m.now().Add(ttl)
	rec := ms.rec
	m.mu.Unlock()
	m.notify(id, rec.Epoch)
	return rec, nil
}

// NotifyMoves implements MoveNotifier: fn runs in Claim's goroutine after
// every Claim, so Servers sharing this store (in one process) end a moved
// session at once.
func (m *MemoryStore) NotifyMoves(fn func(id string, epoch uint64)) (stop func()) {
	m.subsMu.Lock()
	defer m.subsMu.Unlock()
	if m.subs == nil {
		m.subs = make(map[*func(string, uint64)]struct{})
	}
	key := &fn
	m.subs[key] = struct{}{}
	return func() {
		m.subsMu.Lock()
		delete(m.subs, key)
		m.subsMu.Unlock()
	}
}

func (m *MemoryStore) notify(id string, epoch uint64) {
	m.subsMu.Lock()
	defer m.subsMu.Unlock()
	for fn := range m.subs {
		(*fn)(id, epoch)
	}
}

// Append implements Store.
func (m *MemoryStore) Append(_ context.Context, id string, epoch uint64, f Frame) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms, err := m.get(id, epoch)
	if err != nil {
		return err
	}
	if f.Seq != ms.rec.Sent+1 {
		return errSeqOrder
	}
	ms.frames = append(ms.frames, f)
	ms.rec.Sent = f.Seq
	return nil
}

// Ack implements Store.
func (m *MemoryStore) Ack(_ context.Context, id string, epoch uint64, upTo uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms, err := m.get(id, epoch)
	if err != nil {
		return err
	}
	if upTo <= ms.rec.Acked {
		return nil
	}
	upTo = min(upTo, ms.rec.Sent)
	k := int(upTo - ms.rec.Acked)
	clear(ms.frames[:k])
	ms.frames = ms.frames[k:]
	ms.rec.Acked = upTo
	return nil
}

// Range implements Store. fn runs without the store's lock held, on a
// copy of the frame list taken at the call.
func (m *MemoryStore) Range(_ context.Context, id string, after uint64, fn func(Frame) error) error {
	m.mu.Lock()
	ms, err := m.get(id, 0)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	if after < ms.rec.Acked {
		m.mu.Unlock()
		return ErrReplayTrimmed
	}
	var frames []Frame
	if after < ms.rec.Sent {
		frames = append(frames, ms.frames[after-ms.rec.Acked:]...)
	}
	m.mu.Unlock()
	for _, f := range frames {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// SetDelivered implements Store.
func (m *MemoryStore) SetDelivered(_ context.Context, id string, epoch uint64, n uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms, err := m.get(id, epoch)
	if err != nil {
		return err
	}
	ms.rec.Delivered = max(ms.rec.Delivered, n)
	return nil
}

// Touch implements Store.
func (m *MemoryStore) Touch(_ context.Context, id string, epoch uint64, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms, err := m.get(id, epoch)
	if err != nil {
		return err
	}
	ms.expires = m.now().Add(ttl)
	return nil
}

// Delete implements Store.
func (m *MemoryStore) Delete(_ context.Context, id string, epoch uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ms := m.sessions[id]; ms != nil && (epoch == 0 || ms.rec.Epoch == epoch) {
		delete(m.sessions, id)
	}
	return nil
}

// Len reports how many sessions the store holds (expired ones included
// until swept).
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}
