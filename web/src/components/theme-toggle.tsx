// Light and dark themes: the system's choice until the user picks one (kept in localStorage).

import { useEffect, useState } from 'preact/hooks'

type Theme = 'light' | 'dark'

function initialTheme(): Theme {
  const saved = window.localStorage.getItem('streamline-theme')
  if (saved === 'light' || saved === 'dark') return saved
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(initialTheme)
  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])
  const next: Theme = theme === 'dark' ? 'light' : 'dark'
  return (
    <button
      type="button"
      class="theme-toggle"
      aria-label={`Switch to ${next} theme`}
      onClick={() => {
        window.localStorage.setItem('streamline-theme', next)
        setTheme(next)
      }}
    >
      {theme === 'dark' ? '☀ Light' : '☾ Dark'}
    </button>
  )
}
