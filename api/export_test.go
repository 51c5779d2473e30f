package api

// CloseListener closes s's listener under it, as if the socket had died.
func CloseListener(s *Server) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ln.Close()
}
