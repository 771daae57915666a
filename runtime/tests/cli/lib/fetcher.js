export async function loadNote() {
  const response = await fetch("./note.txt");
  return response.text();
}
