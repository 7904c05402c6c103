-- Run by editors/nvim_test.go in headless Neovim: load the documented
-- configuration, open a .wave file with a mistake, read the diagnostic from
-- wavec lsp, apply its quick fix, format the buffer and write it. Each step
-- appends a line to $WAVEC_NVIM_LOG; failures end Neovim with exit code 1.

local log = io.open(os.getenv("WAVEC_NVIM_LOG"), "w")
local function say(...)
  log:write(table.concat({ ... }, "\t"), "\n")
  log:flush()
end
local function fail(msg)
  say("FAIL", msg)
  log:close()
  vim.cmd("cquit 1")
end

local ok, err = pcall(function()
  dofile(os.getenv("WAVEC_NVIM_CONFIG"))
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("WAVEC_NVIM_FILE")))
  local buf = vim.api.nvim_get_current_buf()
  say("filetype", vim.bo[buf].filetype)

  if not vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
    fail("no diagnostics arrived")
  end
  local d = vim.diagnostic.get(buf)[1]
  say("diagnostic", tostring(d.code), d.lnum, d.col, (d.message:gsub("\n", " | ")))

  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local params = vim.lsp.util.make_range_params()
  local lsp_diags = {}
  for _, x in ipairs(vim.diagnostic.get(buf, { lnum = d.lnum })) do
    if x.user_data and x.user_data.lsp then
      table.insert(lsp_diags, x.user_data.lsp)
    end
  end
  params.context = { diagnostics = lsp_diags, only = { "quickfix" } }
  local results = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 20000) or {}
  local applied = 0
  for _, r in pairs(results) do
    if r.error then
      fail("codeAction: " .. vim.inspect(r.error))
    end
    for _, action in ipairs(r.result or {}) do
      if applied == 0 and action.edit then
        say("action", action.title)
        vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
        applied = applied + 1
      end
    end
  end
  if applied == 0 then
    fail("no quick fix offered")
  end

  if not vim.wait(30000, function() return #vim.diagnostic.get(buf) == 0 end, 50) then
    fail("the diagnostic did not clear: " .. vim.inspect(vim.diagnostic.get(buf)))
  end
  say("cleared")

  if vim.lsp.buf.format then
    vim.lsp.buf.format({ timeout_ms = 20000 })
  else
    vim.lsp.buf.formatting_sync(nil, 20000)
  end
  vim.cmd("write")
  say("written")

  -- Hover and definition on the reference the quick fix corrected.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local row, col
  for i, l in ipairs(lines) do
    local c = l:find("configmap api%-config%]")
    if c then
      row, col = i - 1, c + #"configmap "
    end
  end
  if not row then
    fail("the corrected reference is not in the buffer")
  end
  local pos = { textDocument = vim.lsp.util.make_text_document_params(), position = { line = row, character = col } }
  local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover", pos, 20000) or {}
  for _, r in pairs(hover) do
    if r.result and r.result.contents then
      say("hover", (r.result.contents.value:gsub("\n", " | ")))
    end
  end
  local def = vim.lsp.buf_request_sync(buf, "textDocument/definition", pos, 20000) or {}
  for _, r in pairs(def) do
    for _, loc in ipairs(r.result or {}) do
      say("definition", loc.range.start.line, loc.range.start.character)
    end
  end
end)
if not ok then
  fail(tostring(err))
end
log:close()
vim.cmd("qall!")
