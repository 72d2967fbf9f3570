import { QueryClient, QueryClientProvider } from '@tanstack/preact-query';
import { render } from 'preact';
import { Route, Switch } from 'wouter-preact';
import { ApiError } from './api/client';
import { Layout } from './layout';
import { Admin } from './pages/admin';
import { NotFound } from './pages/not-found';
import { Overview } from './pages/overview';
import { Requests } from './pages/requests';
import { SessionPage } from './pages/session-page';
import { Sessions } from './pages/sessions';
import { SignIn } from './pages/sign-in';
import { SessionGate } from './session';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // A 4xx is an answer, not a glitch: retrying would only repeat it.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionGate signIn={(props) => <SignIn {...props} />}>
        <Layout>
          <Switch>
            <Route path="/" component={Overview} />
            <Route path="/sessions" component={Sessions} />
            <Route path="/sessions/:id">{(params) => <SessionPage id={params.id} />}</Route>
            <Route path="/requests" component={Requests} />
            <Route path="/admin" component={Admin} />
            <Route component={NotFound} />
          </Switch>
        </Layout>
      </SessionGate>
    </QueryClientProvider>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
