// The console's entry: picks the page for the URL and renders it in the layout.

import { render } from 'preact'
import { Layout } from './components/layout.tsx'
import { GroupDetailPage } from './pages/group-detail.tsx'
import { GroupsPage } from './pages/groups.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { SecurityPage } from './pages/security.tsx'
import { TopicDetailPage } from './pages/topic-detail.tsx'
import { TopicsPage } from './pages/topics.tsx'
import { Link, type Location, useLocation } from './router.tsx'
import './styles.css'

function page(location: Location): { title: string; body: preact.ComponentChildren } {
  const parts = location.path
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent)
  if (parts.length === 0) return { title: 'Overview', body: <OverviewPage /> }
  if (parts[0] === 'topics' && parts.length === 1)
    return { title: 'Topics', body: <TopicsPage location={location} /> }
  if (parts[0] === 'topics' && parts.length <= 3) {
    const tab = parts[2] ?? 'partitions'
    return {
      title: `Topic ${parts[1]}`,
      body: <TopicDetailPage key={parts[1]} name={parts[1]} tab={tab} location={location} />,
    }
  }
  if (parts[0] === 'groups' && parts.length === 1) return { title: 'Consumer groups', body: <GroupsPage /> }
  if (parts[0] === 'groups' && parts.length === 2) {
    return { title: `Group ${parts[1]}`, body: <GroupDetailPage key={parts[1]} id={parts[1]} /> }
  }
  if (parts[0] === 'security' && parts.length === 1) return { title: 'Security', body: <SecurityPage /> }
  return {
    title: 'Not found',
    body: (
      <>
        <h1>Not found</h1>
        <p>
          No page at {location.path}. <Link href="/">Go to the overview</Link>.
        </p>
      </>
    ),
  }
}

function App() {
  const location = useLocation()
  const { title, body } = page(location)
  return (
    <Layout path={location.path} title={title}>
      {body}
    </Layout>
  )
}

const root = document.getElementById('app')
if (root !== null) render(<App />, root)
