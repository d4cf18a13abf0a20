import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { apiRoot, clearToken, storedToken } from "./api.js";
import { JobPage } from "./pages/job.js";
import { JobsPage } from "./pages/jobs.js";
import { PlanPage } from "./pages/plan.js";
import { ProjectPage } from "./pages/project.js";
import { ProjectsPage } from "./pages/projects.js";
import { ReviewPage } from "./pages/review.js";
import { SignIn } from "./pages/sign-in.js";
import { href, useRoute } from "./router.js";
import "./style.css";

function Page({ route }: { route: string[] }) {
  const [section, id, tab] = route;
  if (section === "projects" && id) return <ProjectPage projectId={id} tab={tab} />;
  if (section === "jobs" && id) return <JobPage jobId={id} />;
  if (section === "jobs") return <JobsPage />;
  if (section === "plans" && id) return <PlanPage jobId={id} />;
  if (section === "review") return <ReviewPage projectId={id} />;
  return <ProjectsPage />;
}

function App() {
  const [token, setToken] = useState(storedToken());
  const [expired, setExpired] = useState(false);
  const route = useRoute();
  useEffect(() => {
    const onUnauthorized = () => {
      clearToken();
      setExpired(true);
      setToken(null);
    };
    window.addEventListener("memcons:unauthorized", onUnauthorized);
    return () => window.removeEventListener("memcons:unauthorized", onUnauthorized);
  }, []);
  if (!token) {
    return (
      <SignIn
        expired={expired}
        onSignedIn={(value) => {
          setExpired(false);
          setToken(value);
        }}
      />
    );
  }
  const section = route[0] ?? "projects";
  const current = (name: string) => (section === name ? "page" : undefined);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <strong class="brand">memcons</strong>
        <nav aria-label="Main">
          <a href={href("projects")} aria-current={current("projects")}>
            Projects
          </a>
          <a href={href("jobs")} aria-current={current("jobs")}>
            Jobs
          </a>
          <a href={href("review")} aria-current={section === "review" || section === "plans" ? "page" : undefined}>
            Review
          </a>
          <a href={`${apiRoot()}/docs`}>API reference</a>
        </nav>
        <button
          type="button"
          class="link"
          onClick={() => {
            clearToken();
            setToken(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
