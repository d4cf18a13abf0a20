/** Review queue and dry-run plans. */
export function ReviewPage() {
  return (
    <>
      <h1>Review</h1>
      <p>Proposals and dry-run plans appear here.</p>
    </>
  );
}
