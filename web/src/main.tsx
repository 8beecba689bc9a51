// The console's entry: picks the page for the URL and renders it in the layout.

import { render } from 'preact'
import { Layout } from './components/layout.tsx'
import { LoginForm, useSession } from './components/session.tsx'
import { BrokerConfigsPage } from './pages/broker-configs.tsx'
import { ConnectorDetailPage } from './pages/connector-detail.tsx'
import { ConnectorsPage } from './pages/connectors.tsx'
import { GroupDetailPage } from './pages/group-detail.tsx'
import { GroupsPage } from './pages/groups.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { SchemaSubjectPage } from './pages/schema-subject.tsx'
import { SchemasPage } from './pages/schemas.tsx'
import { SecurityPage } from './pages/security.tsx'
import { SqlPage } from './pages/sql.tsx'
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
  if (parts[0] === 'broker-configs' && parts.length === 1)
    return { title: 'Broker configs', body: <BrokerConfigsPage location={location} /> }
  if (parts[0] === 'security' && parts.length === 1) return { title: 'Security', body: <SecurityPage /> }
  if (parts[0] === 'schemas' && parts.length === 1)
    return { title: 'Schemas', body: <SchemasPage location={location} /> }
  if (parts[0] === 'schemas' && parts.length === 2) {
    return {
      title: `Subject ${parts[1]}`,
      body: <SchemaSubjectPage key={parts[1]} subject={parts[1]} location={location} />,
    }
  }
  if (parts[0] === 'connectors' && parts.length === 1)
    return { title: 'Connectors', body: <ConnectorsPage location={location} /> }
  if (parts[0] === 'connectors' && parts.length === 2) {
    return { title: `Connector ${parts[1]}`, body: <ConnectorDetailPage key={parts[1]} name={parts[1]} /> }
  }
  if (parts[0] === 'sql' && parts.length === 1) return { title: 'SQL', body: <SqlPage location={location} /> }
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
  const session = useSession()
  if (session.state === null) return null
  if (session.needsLogin) {
    return (
      <Layout path={location.path} title="Log in" user={null} navigation={false}>
        <LoginForm onLoggedIn={session.loggedIn} />
      </Layout>
    )
  }
  const { title, body } = page(location)
  const principal = session.state.principal
  return (
    <Layout
      path={location.path}
      title={title}
      user={principal === null ? null : { principal, logout: session.logout }}
      navigation
    >
      {body}
    </Layout>
  )
}

const root = document.getElementById('app')
if (root !== null) render(<App />, root)
